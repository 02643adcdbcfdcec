/**
 * Croatian. Counts take three forms (1 minuta, 2 minute, 5 minuta), chosen by
 * `Intl.PluralRules("hr")`. Names stay in the nominative, set apart ("kupac: Ana Horvat"),
 * because declining a name needs to know its gender and ending.
 */
import type { Catalogue } from "./en";
import { plural, spanWords, type Forms, type SpanUnits } from "./plural";

const LOCALE = "hr-HR";
const UNITS: SpanUnits = {
  minute: { one: "minuta", few: "minute", other: "minuta" },
  hour: { one: "sat", few: "sata", other: "sati" },
  day: { one: "dan", few: "dana", other: "dana" },
};
const count = (n: number, forms: Forms): string => `${n} ${plural(LOCALE, n, forms)}`;
const capital = (s: string): string => s.charAt(0).toLocaleUpperCase("hr") + s.slice(1);
/** "e-pošta, hitan prioritet": the priority words are masculine adjectives, agreeing with "prioritet". */
const ch = (p: string, c: string | null): string => `${c ? `${c}, ` : ""}${p} prioritet`;

export const hr: Catalogue = {
  locale: LOCALE,
  utcStamps: false,
  metric: { first_reply: "prvi odgovor", next_reply: "sljedeći odgovor", periodic_update: "redovito javljanje", resolution: "rješenje" },
  priority: { low: "nizak", normal: "uobičajen", high: "visok", urgent: "hitan" },
  channel: { email: "e-pošta", chat: "razgovor uživo", social: "društvene mreže", phone: "telefon", marketplace: "internetska tržnica", web: "web", sms: "SMS", api: "API", other: "ostalo" },
  theCustomer: "kupac",
  ago: (ms) => spanWords(Math.max(0, ms), LOCALE, UNITS, "manje od minute"),
  target: (ms) => spanWords(ms, LOCALE, UNITS, `${Math.round(ms / 1000)} s`),
  caseLine: (priority, channel, label) => `predmet ${label} (${ch(priority, channel)})`,
  targetLine: (target, rule) => `cilj ${target} (${rule})`,
  sla: {
    warningTitle: (what, dueIn, p, c) => `${capital(what)}: preostalo ${dueIn} — ${ch(p, c)}`,
    warningAction: (who, at) => `Odgovorite prije ${at} (kupac: ${who}).`,
    breachTitle: (what, by, p, c) => `${capital(what)}: rok je prošao${by ? ` (kašnjenje ${by})` : ""} — ${ch(p, c)}`,
    breachActionResolution: (who) => `Riješite predmet ili odmah javite kupcu (${who}) što slijedi.`,
    breachAction: (who, what) => `Odgovorite odmah (kupac: ${who}): rok za ${what} je prošao.`,
    escalationTitle: (what, by, p, c) => `${capital(what)}: rok je još uvijek prekoračen, kašnjenje ${by} — ${ch(p, c)}`,
    escalationAction: "Preuzmite predmet ili ga odmah dodijelite nekom drugom.",
  },
  contact: {
    call: (phone) => `Nazovite ${phone}`,
    callPerson: (who) => `Nazovite kupca (${who})`,
    write: (email) => `Pišite na ${email}`,
    anyhow: "Javite se kupcu",
  },
  callback: {
    promised: (owner, label) => `obećano na predmetu ${label}${owner ? ` (${owner})` : ""}`,
    note: (note) => `bilješka: ${note}`,
    reminderTitle: (who, at) => `Povratni poziv: ${who}, u ${at}`,
    reminderAction: (call, at) => `${call} u ${at}, kako je obećano.`,
    dueTitle: (who, at) => `Propušten obećani povratni poziv — ${who}, poziv je bio obećan za ${at}`,
    dueAction: (call) => `${call} odmah i označite povratni poziv obavljenim.`,
    escalationTitle: (who) => `Povratni poziv još nije obavljen: ${who}`,
    escalationAction: (whom, at) => `Voditelj treba odmah nazvati: ${whom}. Poziv je bio obećan za ${at}.`,
  },
  rating: {
    publicly: "javno, uz ocjenu",
    privately: "izravno kupcu",
    wrote: (comment) => `napisali su: "${comment}"`,
    badTitle: (who) => `Loša ocjena: ${who}`,
    badAction: (how, at) => `Odgovorite ${how} prije ${at}: zahvalite, preuzmite odgovornost za problem i recite što ćete učiniti.`,
    unansweredTitle: (who) => `Loša ocjena još je bez odgovora: ${who}`,
    unansweredAction: (how, at) => `Odgovorite ${how} odmah: rok za odgovor bio je ${at}.`,
  },
  circles: {
    messages: (n, who) => `${count(n, { one: "poruka", few: "poruke", other: "poruka" })} (kupac: ${who}), a predmet još nije riješen`,
    reopenings: (n) => `ponovno otvoren ${count(n, { one: "put", few: "puta", other: "puta" })}`,
    title: (why) => `Vrtimo se u krug: ${why}`,
    callPhone: (phone) => `Nazovite kupca na ${phone} umjesto da ponovno pišete.`,
    phoneThen: (phone, suggestion) => `Telefon: ${phone}. ${suggestion}`,
  },
  dispute: {
    wrote: (word) => `kupac je napisao "${word}"`,
    tagged: (tag) => `oznaka "${tag}"`,
    title: (label, signal) => `Rizik spora, ${label}: ${signal}`,
    customer: (who) => `kupac: ${who}`,
  },
  shipment: {
    defaultCause: "prijevoznik javlja kašnjenje",
    since: (label, cause, since) => `${label}: ${cause} (od ${since})`,
    orders: (ids) => `narudžba ${ids}`,
    openTicket: (ticket) => `kupac već ima otvoren upit: ${ticket}`,
    proactiveTitle: (who) => `Paket kasni: javite se kupcu (${who}) prije nego što pita`,
    proactiveAction: (contact, by, cause, guidance) => `${contact} prije ${by}: ${cause}. ${guidance}`,
    contactDueTitle: (who, passedAgo) => `Paket kasni: kupcu (${who}) još se nitko nije javio${passedAgo ? ` (rok je prošao prije ${passedAgo})` : ""}`,
    contactDueAction: (contact, cause, guidance) => `${contact} odmah: ${cause}. ${guidance} Zatim na predmetu označite da je kupac obaviješten.`,
    contactWas: (at, since) => `rok za javljanje bio je ${at} (kašnjenje od ${since})`,
    updateTitle: (n, who) => `Kupcu (${who}) dugujemo ${n ? `${n}. ` : ""}novost o paketu koji kasni`,
    updatesMissed: (since) => `nadoknada: od ${since} kupac nije dobio nijednu novost; pošaljite ovu odmah, sljedeće slijede u redovitim razmacima`,
    updateAction: (contact, latest, eta) => `${contact} s najnovijim stanjem: ${latest}${eta ? `; prijevoznik sada očekuje ${eta}` : ""}. Javljajte se dok paket ne stigne.`,
  },
  defaults: {
    circles: "Nazovite kupca umjesto da ponovno pišete; ako nema broja telefona, ponudite termin za poziv.",
    dispute: "Kupac je blizu osporavanja plaćanja ili javne pritužbe: ponudite povrat novca ili kupon odmah, prije nego što banka ili stranica s recenzijama odluči umjesto vas.",
    shipment:
      "Javite se kupcu prije nego što pita: priznajte kašnjenje, jednostavnim riječima objasnite uzrok prema obavijesti prijevoznika i ponudite povrat troška dostave, puni povrat novca ili novi datum dostave.",
  },
  render: {
    urgent: "HITNO",
    reminder: "Podsjetnik",
    escalationLevel: (n) => `razina eskalacije ${n}`,
    nextAction: "Sljedeći korak",
    due: "Rok",
    raised: "Prijavljeno",
    customer: "Kupac",
    order: "Narudžba",
    subject: "Naslov",
    open: "Otvori",
    case: "Predmet",
    span: (ms) => spanWords(ms, LOCALE, UNITS, "manje od minute"),
    dueIn: (s) => `još ${s}`,
    dueNow: "rok je sada",
    late: (s) => `kašnjenje ${s}`,
    dueLine: (at, lateness) => `rok ${at} (${lateness})`,
    ticket: (provider, id) => `${provider} upit ${id}`,
    shipment: (provider, tracking) => `${provider} pošiljka ${tracking}`,
    theCase: "predmet",
    rule: (name, version, path, kind) => `Pravilo "${name}" v${version}${path ? ` (${path})` : ""} · ${kind}`,
    digestTitle: (n) => `${count(n, { one: "podsjetnik zadržan", few: "podsjetnika zadržana", other: "podsjetnika zadržano" })} tijekom tihih sati`,
    released: (at) => `poslano ${at}`,
    quietHoursEnded: (at) => `Tihi sati završili su ${at}`,
    more: (n) => `…i još ${n}: cijeli popis je u zapisniku isporuka.`,
    caseTimeline: "tijek predmeta",
    noticeTitle: (channel, failures) =>
      `Kanal "${channel}" ne radi: ${count(failures, { one: "isporuka zaredom nije prošla", few: "isporuke zaredom nisu prošle", other: "isporuka zaredom nije prošlo" })}`,
    noticeSince: (since, channel, type, lastError) => `Od ${since} nijedna isporuka na "${channel}"${type ? ` (${type})` : ""} nije uspjela. Zadnja greška: ${lastError}.`,
    noticeUnknownError: "nepoznato",
    noticeAdvice:
      "Promptly ih i dalje pokušava poslati, pa se ništa ne gubi, ali ljudi koji se oslanjaju na taj kanal ne dobivaju obavijesti. Provjerite URL i pristupne podatke kanala u pravilima trgovine te zapisnik isporuka (GET /v1/stores/:storeId/deliveries?state=pending).",
  },
};
