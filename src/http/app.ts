export async function handleFetch(_request: Request, _env: Env, _ctx: ExecutionContext): Promise<Response> {
  return Response.json({ error: { code: "not_found", message: "no such route" } }, { status: 404 });
}
