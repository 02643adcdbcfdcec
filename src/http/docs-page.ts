/**
 * /docs: a readable page over /openapi.json that works offline (no CDN assets), grouped by tag,
 * with each route's auth, parameters, body schema and responses.
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Promptly API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
h1{margin-bottom:.2rem} h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
details{border:1px solid #e3e3e3;border-radius:6px;margin:.5rem 0;padding:.4rem .8rem}
summary{cursor:pointer;font-family:ui-monospace,monospace}
.m{display:inline-block;min-width:4.2rem;font-weight:700;text-transform:uppercase}
.get{color:#0a7}.post{color:#06c}.put{color:#a60}.delete{color:#c22}.patch{color:#85a}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:13px;border-radius:4px}
.auth{font-size:12px;color:#666;margin-left:.5rem}
</style></head><body>
<h1>Promptly API</h1><p id="desc"></p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a></p>
<div id="root">Loading…</div>
<script>
fetch('/openapi.json').then(r=>r.json()).then(doc=>{
  document.getElementById('desc').textContent=doc.info.description;
  const byTag={};
  for(const [p,ops] of Object.entries(doc.paths)) for(const [m,op] of Object.entries(ops)) (byTag[op.tags[0]]??=[]).push({p,m,op});
  const root=document.getElementById('root'); root.textContent='';
  for(const [tag,list] of Object.entries(byTag)){
    const h=document.createElement('h2'); h.textContent=tag; root.appendChild(h);
    for(const {p,m,op} of list){
      const d=document.createElement('details'); const s=document.createElement('summary');
      s.innerHTML='<span class="m '+m+'"></span><span class="p"></span><span class="auth"></span>';
      s.querySelector('.m').textContent=m; s.querySelector('.p').textContent=p+' — '+op.summary;
      s.querySelector('.auth').textContent=op.security?(op.security.length?'auth: '+Object.keys(op.security[0])[0]:'signed webhook'):'public';
      d.appendChild(s);
      const add=(title,obj)=>{const t=document.createElement('h4');t.textContent=title;d.appendChild(t);const pre=document.createElement('pre');pre.textContent=typeof obj==='string'?obj:JSON.stringify(obj,null,2);d.appendChild(pre);};
      if(op.description) add('Description',op.description);
      if(op.parameters&&op.parameters.length) add('Parameters',op.parameters.map(x=>x.in+' '+x.name+(x.required?' (required)':'')+(x.description?': '+x.description:'')).join('\\n'));
      if(op.requestBody) add('Request body',op.requestBody.content['application/json'].schema);
      for(const [st,r] of Object.entries(op.responses)) add('Response '+st+': '+r.description, r.content?Object.values(r.content)[0].schema:'(no body)');
      root.appendChild(d);
    }
  }
});
</script></body></html>`;
