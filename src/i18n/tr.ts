/**
 * Turkish. Sentences avoid attaching suffixes to names, numbers and dates ("Ayşe'ye",
 * "14:00'ten"): the right suffix depends on the word's last vowel and consonant, so a name is
 * set apart ("müşteri: Ayşe Yılmaz") instead of being inflected wrongly. Turkish keeps the noun
 * singular after a number ("4 dakika"), so each plural set has one form.
 */
import type { Catalogue } from "./en";
import { spanWords, type SpanUnits } from "./plural";

const LOCALE = "tr-TR";
const UNITS: SpanUnits = { minute: { other: "dakika" }, hour: { other: "saat" }, day: { other: "gün" } };
const capital = (s: string): string => s.charAt(0).toLocaleUpperCase("tr") + s.slice(1);
const ch = (p: string, c: string | null): string => `${p}${c ? ` ${c}` : ""}`;

export const tr: Catalogue = {
  locale: LOCALE,
  utcStamps: false,
  metric: { first_reply: "ilk yanıt", next_reply: "sonraki yanıt", periodic_update: "düzenli bilgilendirme", resolution: "çözüm" },
  priority: { low: "düşük", normal: "normal", high: "yüksek", urgent: "acil" },
  channel: { email: "e-posta", chat: "canlı sohbet", social: "sosyal medya", phone: "telefon", marketplace: "pazaryeri", web: "web", sms: "SMS", api: "API", other: "diğer" },
  theCustomer: "müşteri",
  ago: (ms) => spanWords(Math.max(0, ms), LOCALE, UNITS, "bir dakikadan az"),
  target: (ms) => spanWords(ms, LOCALE, UNITS, `${Math.round(ms / 1000)} saniye`),
  caseLine: (priority, channel, label) => `vaka ${label} (${priority}${channel ? `, ${channel}` : ""})`,
  targetLine: (target, rule) => `hedef ${target} (${rule})`,
  sla: {
    warningTitle: (what, dueIn, p, c) => `${capital(what)} için kalan süre: ${dueIn} — ${ch(p, c)}`,
    warningAction: (who, at) => `Yanıtı ${at} öncesinde gönderin (müşteri: ${who}).`,
    breachTitle: (what, by, p, c) => `${capital(what)} süresi aşıldı${by ? ` (${by} gecikme)` : ""} — ${ch(p, c)}`,
    breachActionResolution: (who) => `Vakayı şimdi çözün ya da müşteriye (${who}) sıradaki adımı bildirin.`,
    breachAction: (who, what) => `Şimdi yanıt verin (müşteri: ${who}): ${what} hedefi geçti.`,
    escalationTitle: (what, by, p, c) => `${capital(what)} süresi hâlâ aşılmış durumda, gecikme ${by} — ${ch(p, c)}`,
    escalationAction: "Vakayı şimdi üstlenin ya da başka birine atayın.",
  },
  contact: {
    call: (phone) => `${phone} numarasını arayın`,
    callPerson: (who) => `Müşteriyi arayın (${who})`,
    write: (email) => `${email} adresine yazın`,
    anyhow: "Müşteriyle iletişime geçin",
  },
  callback: {
    promised: (owner, label) => `${label} üzerinde söz verildi${owner ? ` (${owner})` : ""}`,
    note: (note) => `not: ${note}`,
    reminderTitle: (who, at) => `Geri arama: ${who}, saat ${at}`,
    reminderAction: (call, at) => `Söz verildiği gibi, ${at}: ${call}.`,
    dueTitle: (who, at) => `Söz verilen geri arama kaçırıldı — ${who}, saat ${at} için arama bekliyordu`,
    dueAction: (call) => `Şimdi: ${call}; ardından geri aramayı yapıldı olarak işaretleyin.`,
    escalationTitle: (who) => `Geri arama hâlâ yapılmadı: ${who}`,
    escalationAction: (whom, at) => `Bir ekip lideri şimdi aramalı: ${whom}. Söz verilen zaman: ${at}.`,
  },
  rating: {
    publicly: "değerlendirmenin altında herkese açık olarak",
    privately: "doğrudan müşteriye",
    wrote: (comment) => `yazdığı: "${comment}"`,
    badTitle: (who) => `Kötü değerlendirme: ${who}`,
    badAction: (how, at) => `${at} öncesinde ${how} yanıt verin: teşekkür edin, sorunu sahiplenin, ne yapacağınızı söyleyin.`,
    unansweredTitle: (who) => `Kötü değerlendirme hâlâ yanıtsız: ${who}`,
    unansweredAction: (how, at) => `Şimdi ${how} yanıt verin: yanıt hedefi ${at} idi.`,
  },
  circles: {
    messages: (count, who) => `${count} mesaj geldi (müşteri: ${who}), vaka hâlâ çözülmedi`,
    reopenings: (count) => `${count} kez yeniden açıldı`,
    title: (why) => `Kısır döngü: ${why}`,
    callPhone: (phone) => `Yeniden yazmak yerine müşteriyi ${phone} numarasından arayın.`,
    phoneThen: (phone, suggestion) => `Telefon: ${phone}. ${suggestion}`,
  },
  dispute: {
    wrote: (word) => `müşteri "${word}" yazdı`,
    tagged: (tag) => `"${tag}" etiketi eklendi`,
    title: (label, signal) => `İtiraz riski, ${label}: ${signal}`,
    customer: (who) => `müşteri: ${who}`,
  },
  shipment: {
    defaultCause: "kargo firması gecikme bildiriyor",
    since: (label, cause, since) => `${label}: ${cause} (başlangıç: ${since})`,
    orders: (ids) => `sipariş ${ids}`,
    openTicket: (ticket) => `müşterinin zaten açık bir talebi var: ${ticket}`,
    proactiveTitle: (who) => `Geciken kargo: müşteri (${who}) sormadan haber verin`,
    proactiveAction: (contact, by, cause, guidance) => `${by} öncesinde: ${contact}. Neden: ${cause}. ${guidance}`,
    contactDueTitle: (who, passedAgo) => `Geciken kargo: müşteriye (${who}) henüz haber verilmedi${passedAgo ? ` (hedef ${passedAgo} önce geçti)` : ""}`,
    contactDueAction: (contact, cause, guidance) => `Şimdi: ${contact}. Neden: ${cause}. ${guidance} Ardından vakada kargoyu "haber verildi" olarak işaretleyin.`,
    contactWas: (at, since) => `iletişim hedefi ${at} idi (gecikmenin başlangıcı: ${since})`,
    updateTitle: (n, who) => `Geciken kargo için bilgilendirme${n ? ` ${n}` : ""} bekleniyor (müşteri: ${who})`,
    updatesMissed: (since) => `telafi: ${since} tarihinden beri hiç bilgilendirme gönderilmedi; bunu şimdi gönderin, sonrakiler düzenli aralıklarla gelecek`,
    updateAction: (contact, latest, eta) => `${contact} ve son durumu bildirin: ${latest}${eta ? `; kargo firmasının yeni tahmini: ${eta}` : ""}. Teslim edilene kadar bilgilendirmeye devam edin.`,
  },
  defaults: {
    circles: "Yeniden yazmak yerine müşteriyi arayın; telefon numarası yoksa bir arama saati önerin.",
    dispute: "Müşteri ters ibraza ya da herkese açık bir şikâyete çok yakın: banka ya da bir şikâyet sitesi sizin yerinize karar vermeden, şimdi iade ya da indirim kuponu önerin.",
    shipment:
      "Müşteri sormadan haber verin: gecikmeyi kabul edin, nedenini kargo firmasının açıklamasına göre sade bir dille anlatın ve kargo ücretinin iadesini, tam iadeyi ya da yeni bir teslim tarihini önerin.",
  },
  render: {
    urgent: "ACİL",
    reminder: "Hatırlatma",
    escalationLevel: (n) => `yükseltme seviyesi ${n}`,
    nextAction: "Sıradaki adım",
    due: "Son tarih",
    raised: "Bildirildi",
    customer: "Müşteri",
    order: "Sipariş",
    subject: "Konu",
    open: "Aç",
    case: "Vaka",
    span: (ms) => spanWords(ms, LOCALE, UNITS, "bir dakikadan az"),
    dueIn: (s) => `${s} kaldı`,
    dueNow: "süre şimdi doluyor",
    late: (s) => `${s} gecikti`,
    dueLine: (at, lateness) => `son tarih ${at} (${lateness})`,
    ticket: (provider, id) => `${provider} talebi ${id}`,
    shipment: (provider, tracking) => `${provider} gönderisi ${tracking}`,
    theCase: "vaka",
    rule: (name, version, path, kind) => `Kural "${name}" v${version}${path ? ` (${path})` : ""} · ${kind}`,
    digestTitle: (count) => `Sessiz saatlerde bekletilen ${count} hatırlatma`,
    released: (at) => `gönderildi: ${at}`,
    quietHoursEnded: (at) => `Sessiz saatler sona erdi: ${at}`,
    more: (n) => `…ve ${n} hatırlatma daha: tam liste için teslimat kaydına bakın.`,
    caseTimeline: "vaka geçmişi",
    noticeTitle: (channel, failures) => `"${channel}" kanalı çalışmıyor: art arda ${failures} teslimat ulaşmadı`,
    noticeSince: (since, channel, type, lastError) => `${since} tarihinden beri "${channel}"${type ? ` (${type})` : ""} kanalına yapılan her teslimat başarısız oldu. Son hata: ${lastError}.`,
    noticeUnknownError: "bilinmiyor",
    noticeAdvice:
      "Promptly yeniden denemeye devam ediyor, yani hiçbir şey kaybolmuyor; ancak bu kanala güvenen kişilere haber gitmiyor. Mağazanın kurallarında kanalın URL'sini ve kimlik bilgilerini, bir de teslimat kaydını (GET /v1/stores/:storeId/deliveries?state=pending) kontrol edin.",
  },
};
