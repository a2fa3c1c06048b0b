// Every sentence the bot says, in German and English. Views take these; nothing else holds wording.
import type { Agreement, Role, Team } from './agreement.ts';
import type { FilterCheck, FitCheck, Reason, Share } from './reasons.ts';
import type { RejectReason } from './rejections.ts';

export type Locale = 'de' | 'en';

const de = {
  reasons: {
    not_a_fit: 'Passt nicht zum Zielkundenprofil',
    not_sales_ready: 'Noch nicht kaufbereit',
    duplicate: 'Dublette',
    bad_contact_data: 'Kontaktdaten falsch',
    wrong_territory: 'Falsches Gebiet',
    other: 'Sonstiges',
  } satisfies Record<RejectReason, string>,
  offer: {
    header: (company: string) => `Neuer Lead: ${company}`,
    company: 'Firma',
    role: 'Rolle',
    grade: 'Einstufung',
    score: 'Score',
    source: 'Quelle',
    claimBy: 'Annehmen bis',
    whyQualified: 'Warum qualifiziert',
    whyHere: 'Warum in dieser Queue',
    suggested: 'Vorschlag: ',
    nobodySuggested: 'Niemand aus der Queue ist gerade frei – wer kann, nimmt ihn.',
    agreementVersion: (version: string) => `Bewertet und verteilt nach Vereinbarung ${version}`,
    explored: 'Erkundung: Dieser Lead liegt knapp unter der MQL-Schwelle und wird angeboten, damit sichtbar wird, ob die Schwelle stimmt.',
    again: 'Erneut angeboten: Die Schlichtung hat die Ablehnung aufgehoben.',
    givenBack: 'Zurückgegeben von ',
    handedOver: 'Übergabe von Inside Sales, vorbereitet von ',
    requeued: 'Zurück in der Queue: kein Erstkontakt innerhalb der Frist. Vorher bei ',
    accept: 'Annehmen',
    reject: 'Ablehnen',
    employees: (n: number) => `${n.toLocaleString('de-DE')} Mitarbeitende`,
    acceptedBy: '✅ Angenommen von ',
    contactDue: ' – Erstkontakt bis ',
    rejectedBy: '❌ Abgelehnt von ',
    backToNurture: 'Zurück ins Nurturing bei Marketing.',
    staysRejected: 'Bleibt abgelehnt; Marketing kann widersprechen.',
    fallback: (company: string, grade: string) => `Neuer Lead: ${company} (Einstufung ${grade})`,
  },
  rep: {
    header: (company: string) => `Dein Lead: ${company}`,
    contact: 'Kontakt',
    email: 'E-Mail',
    phone: 'Telefon',
    title: 'Position',
    company: 'Firma',
    contactDue: 'Erstkontakt bis',
    attempts: 'Kontaktversuche',
    status: 'Status',
    logAttempt: 'Versuch loggen',
    contacted: 'Kontaktiert',
    handOver: 'An Field Sales übergeben',
    giveBack: 'Zurückgeben',
    fallback: (company: string) => `Du hast den Lead ${company} angenommen.`,
  },
  notice: {
    notInAgreement: 'Du stehst nicht in der Vereinbarung (leadrelay.yml). Bitte deine Sales- oder Marketingleitung, dich einzutragen.',
    takenBy: 'Schon vergeben an ',
    notInQueue: (queue: string) => `Du bist kein Mitglied der Queue „${queue}“ und kannst diesen Lead nicht annehmen oder ablehnen.`,
    notOffered: 'Dieser Lead wird gerade nicht angeboten.',
    notYours: 'Das ist nicht dein Lead.',
    alreadyYours: 'Du hast diesen Lead schon angenommen.',
    alreadyContacted: 'Der Erstkontakt ist schon notiert.',
    keptAfterContact: 'Nach dem Erstkontakt lässt sich ein Lead nicht mehr zurückgeben.',
    badForm: 'Dieses Formular ist ungültig oder veraltet. Bitte öffne es noch einmal über die Schaltfläche.',
    badButton: 'Diese Schaltfläche ist ungültig oder veraltet.',
    notOwner: (owner: string) => `Widersprechen können nur die Marketingperson, der dieser Lead gehört (${owner}), und die Marketingleitung.`,
    notDisputable: 'Zu dieser Ablehnung gibt es schon einen Widerspruch, oder der Lead wurde nicht abgelehnt.',
    alreadyDecided: 'Dieser Streitfall ist schon entschieden.',
    notArbiter: (why: string) => `Du kannst diesen Streitfall nicht entscheiden: ${why}.`,
    noArbiter: 'Es gibt keine neutrale Schlichtungsperson für diesen Streitfall. Bitte die Vereinbarung ergänzen.',
    attemptLogged: (n: number, required: number) => `Kontaktversuch ${n} notiert (vereinbart: mindestens ${required}, bevor ein Lead aufgegeben wird).`,
    contacted: 'Erstkontakt notiert. Danke!',
    contactFirst: 'Bitte zuerst den Erstkontakt bestätigen.',
    handedOver: (queue: string) => `An Field Sales übergeben: Der Lead wird in „${queue}“ angeboten.`,
    notInside: 'Nur Inside Sales übergibt an Field Sales.',
    noFieldQueue: 'Keine Field-Sales-Queue passt zu diesem Lead.',
    givenBack: 'Zurückgegeben: Der Lead wird der Queue erneut angeboten.',
    disputeSent: (arbiter: string) => `Dein Widerspruch liegt jetzt bei ${arbiter}.`,
    decided: 'Entscheidung gespeichert und beiden Seiten mitgeteilt.',
    otherMessage: 'Diese Schaltfläche gehört zu einem anderen Lead als diese Nachricht. Es wurde nichts geändert; bitte nutze die Nachricht des Leads selbst.',
  },
  reject: {
    title: 'Lead ablehnen',
    submit: 'Ablehnen',
    reason: 'Grund',
    note: 'Notiz für Marketing',
    notePlaceholder: 'Was fehlt? Was hätte geholfen?',
    noteRequired: 'Bei „Sonstiges“ bitte kurz begründen.',
    reasonRequired: 'Bitte einen Grund wählen.',
  },
  rejection: {
    header: (company: string) => `Lead abgelehnt: ${company}`,
    by: ' hat den Lead abgelehnt.',
    reason: 'Grund',
    note: 'Notiz',
    nurture: 'Der Lead ist zurück im Nurturing – nicht verloren.',
    closed: 'Der Lead bleibt abgelehnt.',
    dispute: 'Widersprechen',
    fallback: (company: string) => `Dein Lead ${company} wurde abgelehnt.`,
  },
  dispute: {
    title: 'Widerspruch',
    submit: 'Zur Schlichtung',
    rationale: 'Warum ist der Lead gut?',
    rationaleRequired: 'Bitte begründe den Widerspruch.',
    header: (company: string) => `Streitfall: ${company}`,
    lead: 'Lead',
    rejected: 'Abgelehnt von',
    marketer: 'Widerspruch von',
    precedents: 'Frühere Entscheidungen zu diesem Grund',
    noPrecedents: 'Noch keine Präzedenzfälle zu diesem Grund.',
    uphold: 'Ablehnung bestätigen',
    overturn: 'Ablehnung aufheben',
    fallback: (company: string) => `Bitte entscheide den Streitfall zu ${company}.`,
  },
  decide: {
    titleUphold: 'Ablehnung bestätigen',
    titleOverturn: 'Ablehnung aufheben',
    submit: 'Entscheiden',
    rationale: 'Begründung (wird Präzedenzfall)',
    rationaleRequired: 'Bitte begründe die Entscheidung.',
  },
  decision: {
    header: (company: string) => `Schlichtung entschieden: ${company}`,
    upheld: 'Die Ablehnung wurde bestätigt von ',
    overturned: 'Die Ablehnung wurde aufgehoben von ',
    rationale: 'Begründung',
    upheldNext: 'Der Lead bleibt im Nurturing.',
    overturnedNext: 'Der Lead wird der Queue erneut angeboten.',
    fallback: (company: string, upheld: boolean) => `Schlichtung zu ${company}: Ablehnung ${upheld ? 'bestätigt' : 'aufgehoben'}.`,
  },
  erased: {
    header: 'Personenbezogene Daten gelöscht',
    card: 'Die personenbezogenen Daten dieses Leads wurden am ',
    cardEnd: ' gelöscht (DSGVO Art. 17).',
    text: '(gelöscht)',
  },
  command: {
    help: [
      '/leads mine – meine offenen Leads und ihre Fristen',
      '/leads away until 2026-12-24 – abwesend bis (das Routing überspringt dich)',
      '/leads back – wieder da',
      '/leads sla – die Vereinbarung in Klartext',
      '/leads precedents [Grund] – Entscheidungen der Schlichtung',
      '/leads digest [2026-11] – der Monatsbericht für Marketing und Sales',
      '/leads help – diese Hilfe',
    ],
    helpHeader: 'leadrelay – so geht’s',
    unknown: (text: string) => `Unbekannter Befehl „${text}“.`,
    mineHeader: 'Deine offenen Leads',
    mineEmpty: 'Du hast gerade keine offenen Leads.',
    due: ' – fällig ',
    awayUntil: 'Abwesend bis ',
    awayBad: 'Bitte ein Datum in der Zukunft angeben, z. B. /leads away until 2026-12-24',
    back: 'Willkommen zurück! Das Routing berücksichtigt dich wieder.',
    precedentsHeader: 'Präzedenzfälle',
    precedentsEmpty: 'Noch keine Entscheidungen.',
    slaHeader: 'Unsere Vereinbarung',
  },
  sla: {
    target: (n: number) => `Marketing liefert ${n} MQLs im Monat.`,
    grade: (id: string, label: string, claim: string, contact: string) => `Einstufung ${id} (${label}): annehmen innerhalb ${claim}, Erstkontakt innerhalb ${contact} Arbeitszeit.`,
    attempts: (n: number) => `Mindestens ${n} Kontaktversuche, bevor ein Lead als nicht erreichbar aufgegeben wird.`,
    hours: (days: string, start: string, end: string, tz: string) => `Arbeitszeit: ${days}, ${start}–${end} (${tz}); an Feiertagen steht die Uhr.`,
    ladder: (steps: string) => `Eskalation: ${steps}.`,
    step: { remind: 'Erinnerung', manager: 'Teamleitung', reassign: 'Neu zuweisen', requeue: 'zurück in die Queue' },
    nurture: 'Nicht kaufbereite oder unpassende Leads gehen zurück ins Nurturing – nie in den Papierkorb.',
    arbiters: (names: string) => `Schlichtung bei Streit: ${names}.`,
  },
  roles: { rep: 'Vertrieb', marketer: 'Marketing', manager: 'Leitung', arbiter: 'Schlichtung' } satisfies Record<Role, string>,
  statuses: {
    received: 'eingegangen', nurture: 'Nurturing', qualified: 'qualifiziert', offered: 'angeboten', accepted: 'angenommen',
    contacted: 'kontaktiert', opportunity: 'Opportunity', handed_over: 'übergeben', won: 'gewonnen', lost: 'verloren', rejected: 'abgelehnt',
    disputed: 'in Schlichtung', upheld: 'Ablehnung bestätigt', overturned: 'Ablehnung aufgehoben',
  },
  teams: {
    cannotDm: (name: string) => `Ich kann ${name} in Teams keine Direktnachricht schicken: Bitte die leadrelay-App einmal für sich hinzufügen. Der Lead wartet in „mine“.`,
    unknownUser: 'Du stehst nicht in der Vereinbarung (leadrelay.yml), jedenfalls nicht unter der E-Mail-Adresse deines Teams-Kontos: Bitte lass dich dort mit dieser Adresse eintragen.',
  },
  escalation: {
    claimReminder: '⏰ Noch nicht angenommen – die Frist läuft ab ',
    claimBreach: (company: string, queue: string) => `SLA-Verstoß: ${company} in „${queue}“ wurde nicht rechtzeitig angenommen. Fällig war `,
    contactReminder: (company: string) => `⏰ Erinnerung: Erstkontakt mit ${company} fällig `,
    contactBreach: (company: string) => `SLA-Verstoß: Erstkontakt mit ${company} nicht rechtzeitig. Fällig war `,
    suggestedWas: ' Vorgeschlagen war ',
    heldBy: ' Der Lead liegt bei ',
    reassigned: '↪️ Neu zugewiesen an ',
    reassignedFrom: ', weil die Frist verpasst wurde. Vorher: ',
    reassignedToYou: (company: string) => `Dir wurde der Lead ${company} zugewiesen: Die Frist zum Annehmen war verpasst. Bitte im Kanal annehmen.`,
    reassignedAway: (company: string) => `Der Lead ${company} wurde neu zugewiesen, weil die Frist zum Annehmen verpasst wurde.`,
    requeued: (company: string) => `Der Lead ${company} geht zurück in die Queue: kein Erstkontakt innerhalb der Frist.`,
    nobodyToReassign: 'Niemand sonst in der Queue ist frei; der Lead bleibt angeboten.',
    unreachable: 'Nicht erreichbar',
    attemptsMissing: (missing: number, required: number) => `Noch ${missing} Kontaktversuch${missing === 1 ? '' : 'e'} nötig (vereinbart: ${required}), bevor du den Lead als nicht erreichbar aufgeben kannst.`,
    givenUp: 'Als nicht erreichbar zurück ins Nurturing. Marketing ist informiert.',
    givenUpMarketer: (company: string, attempts: number) => `${company}: nach ${attempts} Kontaktversuchen nicht erreichbar – zurück ins Nurturing.`,
    atCapacity: (queue: string, open: number, limit: number, capacity: number) => `Sales ist ausgelastet: „${queue}“ hat ${open} offene Leads (Schwelle ${limit}, Kapazität ${capacity}). Bitte die Leadgenerierung drosseln, damit das Team den Rückstau abarbeiten kann.`,
    recovered: (queue: string, open: number, limit: number) => `Kapazität wieder frei: „${queue}“ hat ${open} offene Leads (Schwelle ${limit}).`,
  },
  digest: {
    badMonth: 'Bitte den Monat als JJJJ-MM angeben, z. B. /leads digest 2026-11.',
    sent: (month: string) => `Der Monatsbericht für ${month} kommt gleich als Direktnachricht.`,
    tooOften: (limit: number, minutes: number) => `Du hast den Monatsbericht in dieser Stunde schon ${limit}-mal angefordert. Bitte versuch es in ${minutes} Minute${minutes === 1 ? '' : 'n'} wieder.`,
    /** Number formats of this language (Intl). */
    locale: 'de-DE',
    minutes: 'Min.',
    hours: 'Std.',
    none: '—',
    header: (month: string, company: string) => `Monatsbericht ${month} – ${company}`,
    fallback: (month: string, delivered: string, target: string, rate: string) => `Monatsbericht ${month}: ${delivered} von ${target} MQLs geliefert, Annahmequote ${rate}.`,
    delivered: (delivered: string, target: string) => `${delivered} von ${target} MQLs`,
    deliveredShare: (share: string) => ` geliefert – ${share} des Monatsziels.`,
    weeks: 'Verlauf nach Kalenderwochen: ',
    week: (week: number) => `KW ${week}`,
    evenness: (share: string) => `Gleichmäßigkeit ${share} (100\u00a0% = an jedem Tag gleich viele Leads, ohne Stau und Leerlauf im Vertrieb).`,
    offered: 'Angeboten',
    accepted: 'Angenommen',
    acceptanceRate: 'Annahmequote',
    recycled: 'Zurück ins Nurturing',
    rejections: 'Ablehnungsgründe',
    noRejections: 'Keine Ablehnungen in diesem Monat.',
    rejectionLine: (reason: string, count: string, share: string) => `${reason}: ${count} (${share})`,
    disputes: 'Schlichtung',
    disputeCounts: (opened: string, upheld: string, overturned: string) => `: ${opened} Widersprüche eingelegt; ${upheld} Ablehnungen bestätigt, ${overturned} aufgehoben.`,
    speed: 'Reaktionszeit',
    claimTime: 'Bis zur Annahme',
    contactTime: 'Bis zum Erstkontakt',
    medianP90: (median: string, p90: string) => `Median ${median} · 90\u00a0% binnen ${p90}`,
    breaches: 'SLA-Verstöße',
    breachCount: (count: string) => `: ${count}`,
    noBreaches: 'Keine SLA-Verstöße in diesem Monat.',
    byQueue: 'Nach Queue',
    byRep: 'Nach Person',
    breachLine: (name: string, count: string, system: string, people: string) => `${name}: ${count} – Verzug durch das System ${system}, durch Menschen ${people}`,
    sources: 'Beste Quellen nach Annahmequote',
    campaigns: 'Beste Kampagnen und Themen nach Annahmequote',
    rankedLine: (name: string, rate: string, accepted: string, leads: string, won: string) => `${name}: ${rate} angenommen (${accepted} von ${leads}), ${won} gewonnen`,
    noLeads: 'Keine MQLs in diesem Monat.',
    load: 'Auslastung je Person',
    loadLine: (name: string, accepted: string, open: string) => `${name}: ${accepted} angenommen, ${open} jetzt offen`,
    noLoad: 'Niemand hat in diesem Monat Leads angenommen.',
    capacity: 'Kapazität',
    noCapacityNotices: 'Keine Queue war in diesem Monat ausgelastet.',
    earlierNotices: (n: string) => `… und ${n} frühere Meldungen`,
    atCapacity: (queue: string, open: string, limit: string) => ` „${queue}“ ausgelastet: ${open} offene Leads (Schwelle ${limit})`,
    recovered: (queue: string, open: string, limit: string) => ` „${queue}“ wieder frei: ${open} offene Leads (Schwelle ${limit})`,
    privacy: 'Datenschutz',
    erasedOnRequest: 'Gelöscht auf Anfrage',
    erasedByRetention: 'Gelöscht nach Ablauf der Aufbewahrungsfrist',
    explored: (n: string) => `Dazu ${n} Leads knapp unter der MQL-Schwelle zur Erkundung angeboten (nicht als MQLs gezählt).`,
    maturity: {
      stage: (stage: string) => `Reifegrad der Vereinbarung: ${stage}.`,
      stages: { undefined: 'undefiniert', defined: 'definiert', aligned: 'abgestimmt', integrated: 'integriert' },
      top: 'Alle Bedingungen erfüllt (Schwellen von leadrelay, kein veröffentlichter Standard).',
      holdingBack: (gaps: string) => `Es fehlt: ${gaps} (Schwellen von leadrelay, kein veröffentlichter Standard).`,
      gaps: {
        definitions: 'die Leads liefen unter keiner gespeicherten Version der Vereinbarung',
        specificReasons: (share: string, needed: string) => `${share} der Ablehnungen mit konkretem Grund statt „Sonstiges“ (nötig: ${needed})`,
        acceptance: (share: string, needed: string) => `Annahmequote ${share} (nötig: ${needed})`,
        sla: (share: string, needed: string) => `${share} der SLA-Fristen eingehalten (nötig: ${needed})`,
        outcomes: (share: string, needed: string) => `Ergebnis erfasst für ${share} der angenommenen Leads (nötig: ${needed})`,
        disputes: (thisMonth: string, lastMonth: string) => `Einsprüche sinken nicht (${thisMonth} nach ${lastMonth} im Vormonat)`,
        measuredTarget: 'das Lead-Ziel beruht noch nicht auf gemessenen Quoten',
        revisions: (count: string, needed: string) => `${count} Überarbeitungen der Vereinbarung im letzten Quartal (nötig: ${needed})`,
      },
    },
    proposals: {
      title: 'Vorschläge für die Vereinbarung',
      decide: '(nichts ändert sich von selbst: ihr entscheidet im Monatstermin; `leadrelay propose` schreibt sie als Entwurf)',
      change: (path: string, from: string, to: string) => `${path}: ${from} → ${to}`,
      signalEvidence: (signal: string, leads: string, won: string, ratio: string, low: string, high: string) =>
        `Belege: ${leads} Leads mit „${signal}“, ${won} gewonnen; Chancenverhältnis ${ratio} (95 %: ${low}–${high}).`,
      thresholdEvidence: (why: 'weak_band' | 'over_capacity', leads: string, won: string, rate: string, load: string, capacity: string) => (why === 'weak_band'
        ? `Belege: die ${leads} Leads knapp über der Schwelle wurden ${won}-mal gewonnen, deutlich seltener als die ${rate} aller weitergegebenen.`
        : `Belege: ${load} Leads je Vertriebler und Woche bei einer Kapazität von ${capacity}.`),
      reasonEvidence: (why: 'overturned' | 'other', reason: string, count: string, of: string, rate: string) => (why === 'overturned'
        ? `Belege: Ablehnungen mit „${reason}“ wurden in ${count} von ${of} Einsprüchen aufgehoben (${rate}); neu formulieren.`
        : `Belege: ${count} von ${of} Ablehnungen mit „Sonstiges“ (${rate}); aufteilen.`),
      replay: (leads: string, grade: string, queue: string, kept: string, accepted: string, won: string, added: string) =>
        `Nachgespielt auf ${leads} Leads: ${grade} andere Stufe, ${queue} andere Queue, ${kept} Ablehnungen erspart, ${accepted} angenommene und ${won} gewonnene verloren, ${added} neu weitergegeben (Ergebnis unbekannt).`,
      noReplay: 'Ändert keine Bewertung, darum kein Nachspielen.',
      slaEvidence: (why: 'missed' | 'beaten', grade: string, inTime: string, leads: string, rate: string, used: string, wonInTime: string, wonLate: string) =>
        `Belege: Stufe ${grade}, ${inTime} von ${leads} in der Frist (${rate}); 90 % brauchten ${why === 'missed' ? 'bis zu' : 'höchstens'} ${used} der Frist. Gewonnen: ${wonInTime} der pünktlichen, ${wonLate} der späten – eine Korrelation, keine Ursache.`,
      noRate: '–',
      missing: (missing: string, events: string, needed: string) =>
        `Zu wenig Daten für Signalpunkte: es fehlen noch ${missing} Ergebnisse (${events} von ${needed} gewonnenen bzw. nicht gewonnenen Leads).`,
      none: 'Die Daten zeigen keinen klaren Änderungsbedarf.',
      recheck: (month: string) => `Wieder geprüft im Monatsbericht für ${month}.`,
    },
    versions: 'Vereinbarung in diesem Monat: ',
    version: (version: string, leads: string) => `Version ${version} (${leads} Leads)`,
    versionSince: (version: string, leads: string) => `Version ${version} (${leads} Leads), in Kraft seit `,
    next: (month: string, leads: string) => `Ziel für ${month}: ${leads} MQLs`,
    derivation: (revenue: string, deal: string, customers: string, toCustomer: string, opportunities: string, toOpportunity: string, leads: string) =>
      `Umsatzziel ${revenue} ÷ ${deal} je Abschluss = ${customers} Kunden; ÷ ${toCustomer} Abschlussquote = ${opportunities} Opportunities; ÷ ${toOpportunity} Quote Lead → Opportunity = ${leads} Leads.`,
    basisMeasured: 'Quoten gemessen an den drei Monaten davor.',
    basisAgreement: 'Quoten aus der Vereinbarung – für gemessene Quoten gab es noch zu wenig Verlauf.',
    gapMore: (n: string) => `Das sind ${n} MQLs mehr, als in diesem Monat geliefert wurden.`,
    gapLess: (n: string) => `Das sind ${n} MQLs weniger, als in diesem Monat geliefert wurden.`,
    gapNone: 'Genau so viele MQLs, wie in diesem Monat geliefert wurden.',
    conversion: (from: string, to: string) => `Konversion der MQLs von ${from} bis ${to}: Lead → Opportunity → gewonnen`,
    conversionLine: (leads: string, opportunities: string, toOpportunity: string, won: string, toWon: string, closed: string) =>
      `: ${leads} → ${opportunities} (${toOpportunity}) → ${won} gewonnen (${toWon} von ${closed} abgeschlossenen)`,
    dimensions: { source: 'Quelle', campaign: 'Kampagne', grade: 'Einstufung' },
    noConversion: 'Keine MQLs in diesen Monaten.',
    revenue: (month: string, total: string) => `Umsatz gewonnen im ${month}: ${total}`,
    revenueLine: (source: string, amounts: string, deals: string) => `${source}: ${amounts} (${deals} gewonnen)`,
    withoutAmount: (n: string) => `${n} ohne Betrag`,
    noRevenue: 'Kein Deal in diesem Monat gewonnen.',
    measuredOpportunity: (from: string, to: string, opportunities: string, leads: string, rate: string, low: string, high: string) =>
      `Gemessen an den MQLs von ${from} bis ${to}: ${opportunities} von ${leads} wurden Opportunity (${rate}, 95-%-Intervall ${low}–${high});`,
    measuredCustomer: (won: string, closed: string, rate: string, low: string, high: string) =>
      `${won} von ${closed} abgeschlossenen Opportunities gewonnen (${rate}, 95-%-Intervall ${low}–${high}).`,
    measuredRange: (fewest: string, most: string) => `Mit den Intervallgrenzen: ${fewest} bis ${most} MQLs im Monat.`,
    tooFew: (from: string, to: string, leads: string, opportunities: string, closed: string, won: string) =>
      `Gemessen an den MQLs von ${from} bis ${to}: ${leads} MQLs, davon ${opportunities} Opportunities, ${closed} davon abgeschlossen, ${won} gewonnen.`,
    tooFewNeed: (leads: string, opportunities: string, closed: string, won: string) =>
      `Gemessene Quoten brauchen mindestens ${leads} MQLs mit ${opportunities} Opportunities und ${closed} abgeschlossenen, davon ${won} gewonnen.`,
  },
  /** A deal's outcome: from the CRM (POST /api/outcomes) or the buttons on the rep's lead card. */
  outcome: {
    opportunity: 'Opportunity',
    won: 'Gewonnen',
    lost: 'Verloren',
    amount: 'Auftragswert',
    reason: 'Grund',
    recorded: { opportunity: '🎯 Als Opportunity eingetragen. Viel Erfolg!', won: '🏆 Als gewonnen eingetragen. Glückwunsch!', lost: 'Als verloren eingetragen. Danke für den Grund – Marketing lernt daraus.' },
    alreadySo: 'Das ist schon so eingetragen; nichts geändert.',
    notAllowed: (status: string) => `Für diesen Lead lässt sich kein Ergebnis eintragen: Er ist ${status}.`,
    submit: 'Eintragen',
    amountLabel: (currency: string) => `Auftragswert in ${currency}`,
    amountPlaceholder: 'z. B. 20.000 oder 20.000,50',
    badAmount: 'Bitte einen Betrag wie 20.000 oder 20.000,50 angeben.',
    reasonLabel: 'Warum verloren?',
    reasonPlaceholder: 'z. B. Preis, Wettbewerber, kein Budget',
    reasonRequired: 'Bitte kurz sagen, warum der Deal verloren ist.',
  },
  /** The digest's charts (src/domain/charts.ts): titles, axes, legends and the alt text that
   * says in words what each one shows. */
  charts: {
    /** A day of the month under the flow chart: "1.10.". */
    day: (day: string, month: string, _monthName: string) => `${day}.${month}.`,
    flow: {
      title: 'MQLs pro Tag und was aus ihnen wurde',
      subtitle: (month: string, delivered: string, target: string) => `${month}: ${delivered} von ${target} MQLs geliefert`,
      xAxis: 'Eingangstag',
      yAxis: 'MQLs',
      accepted: 'Angenommen',
      rejected: 'Abgelehnt',
      nurture: 'Zurück ins Nurturing',
      open: 'Noch offen',
      target: (perDay: string) => `Zielrate: ${perDay} MQLs pro Tag`,
      targetLabel: (perDay: string) => `Ziel ${perDay}/Tag`,
      alt: (month: string, delivered: string, target: string, perDay: string, accepted: string, rejected: string, nurture: string, open: string) =>
        `Balkendiagramm der MQLs pro Tag im ${month}, gestapelt nach Ergebnis, mit der Zielrate von ${perDay} MQLs pro Tag als gestrichelter Linie. ${delivered} von ${target} MQLs geliefert: ${accepted} angenommen, ${rejected} abgelehnt, ${nurture} zurück ins Nurturing, ${open} noch offen.`,
      altBusiest: (day: string, count: string) => ` Stärkster Tag: ${day} mit ${count} MQLs.`,
    },
    funnel: {
      title: 'Vom MQL zum Auftrag',
      subtitle: (month: string, mqls: string, won: string, rate: string) => `${month}: aus ${mqls} MQLs wurden ${won} Aufträge (${rate})`,
      xAxis: 'Stufe',
      yAxis: 'Leads',
      rateAxis: 'Quote',
      stages: { mqls: 'MQL', accepted: 'Angenommen', contacted: 'Kontaktiert', opportunities: 'Opportunity', won: 'Gewonnen' },
      leads: 'Leads auf der Stufe',
      rate: 'Quote gegenüber der Stufe davor',
      alt: (month: string, steps: string) => `Trichter der MQLs aus dem ${month}: ${steps}.`,
      altStep: (stage: string, count: string, rate: string) => `${stage} ${count} (${rate})`,
    },
    sources: {
      title: 'Welche Quellen und Kampagnen liefern',
      subtitle: (month: string) => `${month}: Annahmequote der MQLs, die besten zuerst`,
      source: 'Quelle',
      campaign: 'Kampagne',
      acceptance: 'Annahmequote',
      revenue: 'Gewonnener Umsatz',
      revenueAxis: (deal: string) => `Gewonnener Umsatz (Aufträge × ${deal} Ø-Auftragswert)`,
      noCampaign: '(ohne Kampagne)',
      bar: (rate: string, accepted: string, leads: string) => `${rate} (${accepted} von ${leads})`,
      alt: (month: string, sources: string, campaigns: string) => `Balkendiagramm der Annahmequote im ${month}. Nach Quelle: ${sources}. Nach Kampagne: ${campaigns}.`,
      altLine: (name: string, rate: string, accepted: string, leads: string) => `${name} ${rate} (${accepted} von ${leads})`,
      altRevenue: (revenue: string) => `, Umsatz ${revenue}`,
      none: 'keine MQLs',
    },
    speed: {
      title: 'Reaktionszeit je Queue gegen das SLA',
      subtitle: (month: string) => `${month}: Median je Queue; 100 % = die Frist laut SLA ist ausgeschöpft`,
      xAxis: 'Anteil der SLA-Frist (Median)',
      yAxis: 'Queue',
      claim: 'Bis zur Annahme',
      contact: 'Bis zum Erstkontakt',
      sla: 'SLA-Frist (100 %)',
      slaLabel: 'SLA',
      bar: (share: string, onTime: string) => `${share} · ${onTime} pünktlich`,
      alt: (month: string, queues: string) => `Balkendiagramm der Reaktionszeit im ${month}, je Queue im Median und gemessen an der Frist laut SLA: ${queues}.`,
      altQueue: (queue: string, claim: string, contact: string) => `${queue}: Annahme ${claim}, Erstkontakt ${contact}`,
      altTime: (share: string, inTime: string, count: string) => `${share} der Frist, ${inTime} von ${count} in der Frist`,
      none: 'keine Leads angenommen',
    },
  },
  weekdays: { mon: 'Mo', tue: 'Di', wed: 'Mi', thu: 'Do', fri: 'Fr', sat: 'Sa', sun: 'So' },  /** Why leadrelay decided what it did: the wording of each reason code (src/domain/reasons.ts). */
  why: {
    fields: { employees: 'Mitarbeitende', country: 'Land', industry: 'Branche' },
    teams: { field_sales: 'Field Sales', inside_sales: 'Inside Sales' },
    fits: (checks: string) => `passt zum Zielkundenprofil: ${checks}`,
    fitsNoRules: 'passt (die Vereinbarung hat keine Regeln zum Zielkundenprofil)',
    notFit: (checks: string) => `passt nicht zum Zielkundenprofil: ${checks}`,
    unknown: { employees: 'Mitarbeiterzahl unbekannt', country: 'Land unbekannt', industry: 'Branche unbekannt' },
    min: (field: string, min: string, value: string) => `mindestens ${min} ${field} (${value})`,
    max: (field: string, max: string, value: string) => `höchstens ${max} ${field} (${value})`,
    in: (field: string, values: string, value: string) => `${field}: ${values} (${value})`,
    notIn: (field: string, values: string, value: string) => `${field}: nicht ${values} (${value})`,
    readiness: (score: number, signals: string, mql: string, sql: string) =>
      `Kaufbereitschaft ${score} ${score === 1 ? 'Punkt' : 'Punkte'} (${signals}; MQL ab ${mql}, SQL ab ${sql})`,
    noSignals: 'keine Signale',
    notAFit: 'bleibt im Nurturing: passt nicht zum Zielkundenprofil',
    notReady: 'bleibt im Nurturing: noch nicht kaufbereit',
    explored: (score: string, mql: string, percent: string) => `zur Erkundung angeboten: ${score} Punkte, knapp unter der MQL-Schwelle ${mql} (${percent} % solcher Leads werden angeboten, damit ihre Ergebnisse zeigen, ob die Schwelle stimmt)`,
    grade: (stage: string, grade: string, label: string) => (label ? `${stage}, Einstufung ${grade} (${label})` : `${stage}, Einstufung ${grade}`),
    owner: (source: string, team: string) => `Quelle „${source}“ gehört zu ${team}`,
    handover: (team: string) => `übergeben an ${team}`,
    skipped: (queue: string, checks: string) => `${queue} übersprungen: ${checks}`,
    chosen: (queue: string, checks: string) => `${queue}: ${checks}`,
    takesAll: (queue: string) => `${queue}: nimmt jeden Lead`,
    noQueue: (team: string) => `keine Queue von ${team} nimmt diesen Lead`,
    countryFits: (country: string, allowed: string) => `Land ${country} passt (${allowed})`,
    countryOff: (country: string, allowed: string) => `Land ${country} passt nicht (nur ${allowed})`,
    noCountry: (allowed: string) => `kein Land angegeben (nur ${allowed})`,
    industryFits: (industry: string, allowed: string) => `Branche ${industry} passt (${allowed})`,
    industryOff: (industry: string, allowed: string) => `Branche ${industry} passt nicht (nur ${allowed})`,
    noIndustry: (allowed: string) => `keine Branche angegeben (nur ${allowed})`,
    atLeast: (n: string, min: string) => `${n} Mitarbeitende, mindestens ${min}`,
    fewer: (n: string, min: string) => `${n} Mitarbeitende, weniger als ${min}`,
    unknownMin: (min: string) => `Mitarbeiterzahl unbekannt, die Queue verlangt mindestens ${min}`,
    atMost: (n: string, max: string) => `${n} Mitarbeitende, höchstens ${max}`,
    more: (n: string, max: string) => `${n} Mitarbeitende, mehr als ${max}`,
    unknownMax: (max: string) => `Mitarbeiterzahl unbekannt, die Queue nimmt höchstens ${max}`,
    excluded: (name: string) => `übersprungen: ${name}, hatte den Lead schon`,
    away: (name: string, until: string) => `übersprungen: ${name}, abwesend bis ${until}`,
    full: (name: string, open: string, capacity: string) => `übersprungen: ${name}, ausgelastet (${open} von ${capacity} offenen Leads)`,
    offHours: (name: string) => `übersprungen: ${name}, außerhalb der Arbeitszeit`,
    nobody: 'niemand kann ihn gerade nehmen: der ganzen Queue angeboten',
    nobodyInHours: 'gerade ist niemand in der Arbeitszeit; die SLA-Uhr läuft erst mit der Arbeitszeit',
    share: (credited: string, assigned: string, weight: string) => `${credited} gutgeschrieben, ${assigned} zugewiesen, Gewicht ${weight}`,
    only: (name: string, share: string) => `gewählt: ${name}, die einzige Person, die ihn nehmen kann (${share})`,
    behind: (name: string, share: string) => `gewählt: ${name}, am weitesten hinter dem fairen Anteil (${share})`,
    tie: (name: string, other: string, share: string, tieBreak: string) => `gewählt: ${name}, beim fairen Anteil gleichauf mit ${other} (${share}); ${tieBreak}`,
    fewerOpen: (mine: string, theirs: string) => `weniger offene Leads (${mine} statt ${theirs})`,
    higherWeight: (mine: string, theirs: string) => `höheres Gewicht (${mine} statt ${theirs})`,
    byEmail: 'zuerst nach E-Mail-Adresse',
    notPicked: (name: string, share: string) => `nicht gewählt: ${name}, nicht weiter zurück (${share})`,
    noArbiter: (name: string) => `${name} ist in der Vereinbarung keine Schlichtungsperson`,
    rejected: (name: string) => `${name} hat den Lead abgelehnt und kann den Streitfall nicht entscheiden`,
    opened: (name: string) => `${name} hat widersprochen und kann den Streitfall nicht selbst entscheiden`,
    ownsLead: (name: string) => `${name} gehört der Lead und kann den Streitfall nicht neutral entscheiden`,
    assigned: (name: string) => `er liegt bei ${name}; eine andere Schlichtungsperson entscheidet nur, solange ${name} abwesend ist`,
    head: { sales: (name: string) => `${name} leitet den Vertrieb und ist nicht neutral`, marketing: (name: string) => `${name} leitet das Marketing und ist nicht neutral` },
    neutral: (name: string) => `${name} ist neutral und kann schlichten`,
  },
  form: { cancel: 'Abbrechen', required: 'Pflichtfeld', optional: 'freiwillig', badCharacters: 'Enthält Steuerzeichen oder ungültige Zeichen; bitte nur normalen Text.', tooLong: (max: number) => `Bitte höchstens ${max.toLocaleString('de-DE')} Zeichen.` },
  sandbox: {
    title: 'leadrelay-Sandbox',
    actAs: 'Handeln als',
    channels: 'Kanäle',
    directMessages: 'Direktnachrichten',
    tryIt: 'Ausprobieren',
    postDigest: 'Monatsbericht jetzt senden',
    command: 'Befehl',
    send: 'Senden',
    chart: 'Diagramm',
    marketing: 'Marketing',
    alignment: 'Abstimmung',
    checkSetup: 'Einrichtung prüfen',
    doctor: {
      verdict: 'Ergebnis',
      area: 'Bereich',
      subject: 'Geprüft',
      detail: 'Befund (wie im Log)',
      verdicts: { fine: 'in Ordnung', warn: 'ansehen', fail: 'beheben' },
      allFine: 'Alles eingerichtet.',
      toFix: 'Etwas ist noch zu beheben – siehe „beheben“.',
    },
    examples: {
      demo: 'Demo-Anfrage, 500 Mitarbeitende, München',
      ebook: 'E-Book-Download eines Studenten',
      referral: 'Empfehlung eines Bestandskunden',
    },
  },
  crm: {
    ownerChanged: (crm: string, company: string, owner: string) => `${company}: Der Besitzer in ${crm} wurde nach der Entscheidung in leadrelay auf ${owner} geändert. leadrelay hat ihn nicht überschrieben. Angenommen hatte den Lead `,
    ownerChangedEnd: ' – bitte klärt, wer ihn bearbeitet.',
    attemptSubject: (n: number) => `Kontaktversuch ${n} (leadrelay)`,
    attemptBody: (rep: string) => `In leadrelay notiert von ${rep}.`,
  },
};

export type Texts = typeof de;

const en: Texts = {
  reasons: {
    not_a_fit: 'Not a fit',
    not_sales_ready: 'Not sales-ready',
    duplicate: 'Duplicate',
    bad_contact_data: 'Bad contact data',
    wrong_territory: 'Wrong territory',
    other: 'Other',
  },
  offer: {
    header: (company) => `New lead: ${company}`,
    company: 'Company',
    role: 'Role',
    grade: 'Grade',
    score: 'Score',
    source: 'Source',
    claimBy: 'Claim by',
    whyQualified: 'Why it qualified',
    whyHere: 'Why this queue',
    suggested: 'Suggested: ',
    nobodySuggested: 'Nobody in the queue is free right now – whoever can, takes it.',
    agreementVersion: (version) => `Qualified and routed under agreement ${version}`,
    explored: 'Exploration: this lead is just below the MQL threshold and offered so we learn whether the threshold is right.',
    again: 'Offered again: arbitration overturned the rejection.',
    givenBack: 'Given back by ',
    handedOver: 'Handed over from inside sales, prepared by ',
    requeued: 'Back in the queue: no first contact within the deadline. Before with ',
    accept: 'Accept',
    reject: 'Reject',
    employees: (n) => `${n.toLocaleString('en-US')} employees`,
    acceptedBy: '✅ Accepted by ',
    contactDue: ' – first contact due ',
    rejectedBy: '❌ Rejected by ',
    backToNurture: 'Back to marketing for nurturing.',
    staysRejected: 'Stays rejected; marketing may dispute.',
    fallback: (company, grade) => `New lead: ${company} (grade ${grade})`,
  },
  rep: {
    header: (company) => `Your lead: ${company}`,
    contact: 'Contact',
    email: 'Email',
    phone: 'Phone',
    title: 'Title',
    company: 'Company',
    contactDue: 'First contact due',
    attempts: 'Contact attempts',
    status: 'Status',
    logAttempt: 'Log attempt',
    contacted: 'Contacted',
    handOver: 'Hand over to field sales',
    giveBack: 'Give back',
    fallback: (company) => `You accepted the lead ${company}.`,
  },
  notice: {
    notInAgreement: 'You are not in the agreement (leadrelay.yml). Ask your head of sales or marketing to add you.',
    takenBy: 'Already taken by ',
    notInQueue: (queue) => `You are not a member of the queue "${queue}" and cannot accept or reject this lead.`,
    notOffered: 'This lead is not on offer right now.',
    notYours: 'This is not your lead.',
    alreadyYours: 'You have already accepted this lead.',
    alreadyContacted: 'First contact is already recorded.',
    keptAfterContact: 'A lead cannot be given back after first contact.',
    badForm: 'This form is invalid or out of date. Please open it again from its button.',
    badButton: 'This button is invalid or out of date.',
    notOwner: (owner) => `Only the marketer who owns this lead (${owner}) or the head of marketing can dispute this rejection.`,
    notDisputable: 'This rejection is already disputed, or the lead was not rejected.',
    alreadyDecided: 'This dispute has already been decided.',
    notArbiter: (why) => `You cannot decide this dispute: ${why}.`,
    noArbiter: 'There is no neutral arbiter for this dispute. Please add one to the agreement.',
    attemptLogged: (n, required) => `Contact attempt ${n} logged (agreed: at least ${required} before a lead is given up).`,
    contacted: 'First contact logged. Thanks!',
    contactFirst: 'Please confirm the first contact first.',
    handedOver: (queue) => `Handed over to field sales: the lead is offered in "${queue}".`,
    notInside: 'Only inside sales hands leads over to field sales.',
    noFieldQueue: 'No field sales queue matches this lead.',
    givenBack: 'Given back: the lead is offered to the queue again.',
    disputeSent: (arbiter) => `Your dispute is now with ${arbiter}.`,
    decided: 'Decision saved and sent to both sides.',
    otherMessage: 'This button belongs to another lead than this message. Nothing was changed; please use the message of that lead itself.',
  },
  reject: {
    title: 'Reject lead',
    submit: 'Reject',
    reason: 'Reason',
    note: 'Note for marketing',
    notePlaceholder: 'What was missing? What would have helped?',
    noteRequired: 'Please explain briefly when choosing "Other".',
    reasonRequired: 'Please choose a reason.',
  },
  rejection: {
    header: (company) => `Lead rejected: ${company}`,
    by: ' rejected the lead.',
    reason: 'Reason',
    note: 'Note',
    nurture: 'The lead is back in nurturing – not lost.',
    closed: 'The lead stays rejected.',
    dispute: 'Dispute',
    fallback: (company) => `Your lead ${company} was rejected.`,
  },
  dispute: {
    title: 'Dispute',
    submit: 'Send to arbiter',
    rationale: 'Why is this a good lead?',
    rationaleRequired: 'Please give your reasons.',
    header: (company) => `Disputed rejection: ${company}`,
    lead: 'Lead',
    rejected: 'Rejected by',
    marketer: 'Disputed by',
    precedents: 'Earlier decisions for this reason',
    noPrecedents: 'No precedents for this reason yet.',
    uphold: 'Uphold rejection',
    overturn: 'Overturn',
    fallback: (company) => `Please decide the dispute about ${company}.`,
  },
  decide: {
    titleUphold: 'Uphold rejection',
    titleOverturn: 'Overturn rejection',
    submit: 'Decide',
    rationale: 'Rationale (becomes a precedent)',
    rationaleRequired: 'Please give the reason for your decision.',
  },
  decision: {
    header: (company) => `Arbitration decided: ${company}`,
    upheld: 'The rejection was upheld by ',
    overturned: 'The rejection was overturned by ',
    rationale: 'Rationale',
    upheldNext: 'The lead stays in nurturing.',
    overturnedNext: 'The lead is offered to the queue again.',
    fallback: (company, upheld) => `Arbitration on ${company}: rejection ${upheld ? 'upheld' : 'overturned'}.`,
  },
  erased: {
    header: 'Personal data erased',
    card: 'The personal data of this lead was erased on ',
    cardEnd: ' (GDPR Art. 17).',
    text: '(erased)',
  },
  command: {
    help: [
      '/leads mine – my open leads and their deadlines',
      '/leads away until 2026-12-24 – away until then (routing skips you)',
      '/leads back – back again',
      '/leads sla – the agreement in plain words',
      '/leads precedents [reason] – arbitration decisions',
      '/leads digest [2026-11] – the monthly report for marketing and sales',
      '/leads help – this help',
    ],
    helpHeader: 'leadrelay – how it works',
    unknown: (text) => `Unknown command "${text}".`,
    mineHeader: 'Your open leads',
    mineEmpty: 'You have no open leads right now.',
    due: ' – due ',
    awayUntil: 'Away until ',
    awayBad: 'Please give a date in the future, e.g. /leads away until 2026-12-24',
    back: 'Welcome back! Routing includes you again.',
    precedentsHeader: 'Precedents',
    precedentsEmpty: 'No decisions yet.',
    slaHeader: 'Our agreement',
  },
  sla: {
    target: (n) => `Marketing delivers ${n} MQLs a month.`,
    grade: (id, label, claim, contact) => `Grade ${id} (${label}): claim within ${claim}, first contact within ${contact} of working time.`,
    attempts: (n) => `At least ${n} contact attempts before a lead may be given up as unreachable.`,
    hours: (days, start, end, tz) => `Working hours: ${days}, ${start}–${end} (${tz}); the clock stops on holidays.`,
    ladder: (steps) => `Escalation: ${steps}.`,
    step: { remind: 'reminder', manager: 'manager', reassign: 'reassign', requeue: 'back to the queue' },
    nurture: 'Leads that are not ready or not a fit go back to nurturing – never to the bin.',
    arbiters: (names) => `Disputes are decided by: ${names}.`,
  },
  roles: { rep: 'sales rep', marketer: 'Marketing', manager: 'manager', arbiter: 'arbiter' },
  statuses: {
    received: 'received', nurture: 'nurturing', qualified: 'qualified', offered: 'offered', accepted: 'accepted',
    contacted: 'contacted', opportunity: 'opportunity', handed_over: 'handed over', won: 'won', lost: 'lost', rejected: 'rejected',
    disputed: 'in arbitration', upheld: 'rejection upheld', overturned: 'rejection overturned',
  },
  teams: {
    cannotDm: (name) => `I cannot send ${name} a direct message in Teams: please add the leadrelay app for yourself once. The lead is waiting under "mine".`,
    unknownUser: 'You are not in the agreement (leadrelay.yml), at least not under the e-mail address of your Teams account: ask to be added there with that address.',
  },
  escalation: {
    claimReminder: '⏰ Not claimed yet – the deadline is ',
    claimBreach: (company, queue) => `SLA breach: ${company} in "${queue}" was not claimed in time. It was due `,
    contactReminder: (company) => `⏰ Reminder: first contact with ${company} is due `,
    contactBreach: (company) => `SLA breach: no first contact with ${company} in time. It was due `,
    suggestedWas: ' Suggested rep: ',
    heldBy: ' The lead is with ',
    reassigned: '↪️ Reassigned to ',
    reassignedFrom: ' because the deadline was missed. Before: ',
    reassignedToYou: (company) => `The lead ${company} is now yours: the claim deadline was missed. Please accept it in the channel.`,
    reassignedAway: (company) => `The lead ${company} was reassigned because the claim deadline was missed.`,
    requeued: (company) => `The lead ${company} goes back to the queue: no first contact within the deadline.`,
    nobodyToReassign: 'Nobody else in the queue is free; the lead stays on offer.',
    unreachable: 'Unreachable',
    attemptsMissing: (missing, required) => `${missing} more contact attempt${missing === 1 ? '' : 's'} needed (agreed: ${required}) before you may give the lead up as unreachable.`,
    givenUp: 'Back to nurturing as unreachable. Marketing has been told.',
    givenUpMarketer: (company, attempts) => `${company}: unreachable after ${attempts} contact attempts – back to nurturing.`,
    atCapacity: (queue, open, limit, capacity) => `Sales is at capacity: "${queue}" holds ${open} open leads (threshold ${limit}, capacity ${capacity}). Consider throttling lead generation so the team can work the backlog.`,
    recovered: (queue, open, limit) => `Capacity is back: "${queue}" holds ${open} open leads (threshold ${limit}).`,
  },
  digest: {
    badMonth: 'Please give the month as YYYY-MM, e.g. /leads digest 2026-11.',
    sent: (month) => `The digest for ${month} is on its way as a direct message.`,
    tooOften: (limit, minutes) => `You asked for the digest ${limit} times this hour. Please try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    locale: 'en-US',
    minutes: 'min',
    hours: 'h',
    none: '—',
    header: (month, company) => `Monthly digest ${month} – ${company}`,
    fallback: (month, delivered, target, rate) => `Monthly digest ${month}: ${delivered} of ${target} MQLs delivered, acceptance rate ${rate}.`,
    delivered: (delivered, target) => `${delivered} of ${target} MQLs`,
    deliveredShare: (share) => ` delivered – ${share} of the monthly target.`,
    weeks: 'Flow by calendar week: ',
    week: (week) => `W${week}`,
    evenness: (share) => `Evenness ${share} (100% = the same number of leads every day, no rush and no idle time for sales).`,
    offered: 'Offered',
    accepted: 'Accepted',
    acceptanceRate: 'Acceptance rate',
    recycled: 'Recycled to nurture',
    rejections: 'Rejection reasons',
    noRejections: 'No rejections this month.',
    rejectionLine: (reason, count, share) => `${reason}: ${count} (${share})`,
    disputes: 'Disputes',
    disputeCounts: (opened, upheld, overturned) => `: ${opened} opened; ${upheld} rejections upheld, ${overturned} overturned.`,
    speed: 'Speed to lead',
    claimTime: 'Time to claim',
    contactTime: 'Time to first contact',
    medianP90: (median, p90) => `median ${median} · 90% within ${p90}`,
    breaches: 'SLA breaches',
    breachCount: (count) => `: ${count}`,
    noBreaches: 'No SLA breaches this month.',
    byQueue: 'By queue',
    byRep: 'By person',
    breachLine: (name, count, system, people) => `${name}: ${count} – delay caused by the system ${system}, by people ${people}`,
    sources: 'Best sources by acceptance',
    campaigns: 'Best campaigns and topics by acceptance',
    rankedLine: (name, rate, accepted, leads, won) => `${name}: ${rate} accepted (${accepted} of ${leads}), ${won} won`,
    noLeads: 'No MQLs this month.',
    load: 'Load per person',
    loadLine: (name, accepted, open) => `${name}: ${accepted} accepted, ${open} open now`,
    noLoad: 'Nobody accepted leads this month.',
    capacity: 'Capacity',
    noCapacityNotices: 'No queue was at capacity this month.',
    earlierNotices: (n) => `… and ${n} earlier notices`,
    atCapacity: (queue, open, limit) => ` "${queue}" at capacity: ${open} open leads (threshold ${limit})`,
    recovered: (queue, open, limit) => ` "${queue}" has capacity again: ${open} open leads (threshold ${limit})`,
    privacy: 'Privacy',
    erasedOnRequest: 'Erased on request',
    erasedByRetention: 'Erased at the end of the retention period',
    explored: (n) => `Plus ${n} leads just below the MQL threshold offered to explore (not counted as MQLs).`,
    maturity: {
      stage: (stage) => `Agreement maturity: ${stage}.`,
      stages: { undefined: 'undefined', defined: 'defined', aligned: 'aligned', integrated: 'integrated' },
      top: 'Every condition met (leadrelay’s thresholds, not a published standard).',
      holdingBack: (gaps) => `Holding back: ${gaps} (leadrelay’s thresholds, not a published standard).`,
      gaps: {
        definitions: 'the leads ran under no recorded agreement version',
        specificReasons: (share, needed) => `${share} of rejections name a specific reason rather than "other" (needed: ${needed})`,
        acceptance: (share, needed) => `acceptance ${share} (needed: ${needed})`,
        sla: (share, needed) => `${share} of SLA deadlines met (needed: ${needed})`,
        outcomes: (share, needed) => `outcomes recorded for ${share} of accepted leads (needed: ${needed})`,
        disputes: (thisMonth, lastMonth) => `disputes are not falling (${thisMonth} after ${lastMonth} last month)`,
        measuredTarget: 'the lead target does not rest on measured rates yet',
        revisions: (count, needed) => `${count} agreement revisions in the last quarter (needed: ${needed})`,
      },
    },
    proposals: {
      title: 'Proposals for the agreement',
      decide: '(nothing changes by itself: you decide in your monthly meeting; `leadrelay propose` writes them as a draft)',
      change: (path: string, from: string, to: string) => `${path}: ${from} → ${to}`,
      signalEvidence: (signal: string, leads: string, won: string, ratio: string, low: string, high: string) =>
        `Evidence: ${leads} leads with "${signal}", ${won} won; odds ratio ${ratio} (95%: ${low}–${high}).`,
      thresholdEvidence: (why: 'weak_band' | 'over_capacity', leads: string, won: string, rate: string, load: string, capacity: string) => (why === 'weak_band'
        ? `Evidence: the ${leads} leads just above the threshold were won ${won} times, clearly less than the ${rate} of all routed leads.`
        : `Evidence: ${load} leads per rep and week against a capacity of ${capacity}.`),
      reasonEvidence: (why: 'overturned' | 'other', reason: string, count: string, of: string, rate: string) => (why === 'overturned'
        ? `Evidence: rejections for "${reason}" were overturned in ${count} of ${of} disputes (${rate}); reword it.`
        : `Evidence: ${count} of ${of} rejections were "other" (${rate}); split it.`),
      replay: (leads: string, grade: string, queue: string, kept: string, accepted: string, won: string, added: string) =>
        `Replayed on ${leads} leads: ${grade} change grade, ${queue} change queue, ${kept} rejections spared, ${accepted} accepted and ${won} won lost, ${added} newly routed (outcome unknown).`,
      noReplay: 'Changes no scoring, so nothing to replay.',
      slaEvidence: (why: 'missed' | 'beaten', grade: string, inTime: string, leads: string, rate: string, used: string, wonInTime: string, wonLate: string) =>
        `Evidence: grade ${grade}, ${inTime} of ${leads} in time (${rate}); 90% took ${why === 'missed' ? 'up to' : 'at most'} ${used} of the time. Won: ${wonInTime} of those in time, ${wonLate} of the late ones – a correlation, not a cause.`,
      noRate: '–',
      missing: (missing: string, events: string, needed: string) =>
        `Too little data for signal points: ${missing} more outcomes are needed (${events} of ${needed} won or not-won leads).`,
      none: 'The data shows no clear need for a change.',
      recheck: (month: string) => `Checked again in the digest for ${month}.`,
    },
    versions: 'Agreement this month: ',
    version: (version, leads) => `version ${version} (${leads} leads)`,
    versionSince: (version, leads) => `version ${version} (${leads} leads), in force since `,
    next: (month, leads) => `Target for ${month}: ${leads} MQLs`,
    derivation: (revenue, deal, customers, toCustomer, opportunities, toOpportunity, leads) =>
      `Revenue target ${revenue} ÷ ${deal} per deal = ${customers} customers; ÷ ${toCustomer} opportunity → customer = ${opportunities} opportunities; ÷ ${toOpportunity} lead → opportunity = ${leads} leads.`,
    basisMeasured: 'Rates measured over the three months before.',
    basisAgreement: 'Rates from the agreement – not enough history yet for measured rates.',
    gapMore: (n) => `That is ${n} MQLs more than delivered this month.`,
    gapLess: (n) => `That is ${n} MQLs fewer than delivered this month.`,
    gapNone: 'The same number of MQLs as delivered this month.',
    conversion: (from, to) => `Conversion of the MQLs from ${from} to ${to}: lead → opportunity → won`,
    conversionLine: (leads, opportunities, toOpportunity, won, toWon, closed) => `: ${leads} → ${opportunities} (${toOpportunity}) → ${won} won (${toWon} of ${closed} closed)`,
    dimensions: { source: 'source', campaign: 'campaign', grade: 'grade' },
    noConversion: 'No MQLs in these months.',
    revenue: (month, total) => `Revenue won in ${month}: ${total}`,
    revenueLine: (source, amounts, deals) => `${source}: ${amounts} (${deals} won)`,
    withoutAmount: (n) => `${n} without an amount`,
    noRevenue: 'No deal won this month.',
    measuredOpportunity: (from, to, opportunities, leads, rate, low, high) =>
      `Measured on the MQLs from ${from} to ${to}: ${opportunities} of ${leads} became opportunities (${rate}, 95% interval ${low}–${high});`,
    measuredCustomer: (won, closed, rate, low, high) => `${won} of ${closed} closed opportunities were won (${rate}, 95% interval ${low}–${high}).`,
    measuredRange: (fewest, most) => `At the intervals' ends: ${fewest} to ${most} MQLs a month.`,
    tooFew: (from, to, leads, opportunities, closed, won) =>
      `Measured on the MQLs from ${from} to ${to}: ${leads} MQLs, of which ${opportunities} became opportunities, ${closed} of them closed, ${won} won.`,
    tooFewNeed: (leads, opportunities, closed, won) => `Measured rates need at least ${leads} MQLs with ${opportunities} opportunities and ${closed} closed ones, ${won} of them won.`,
  },
  outcome: {
    opportunity: 'Opportunity',
    won: 'Won',
    lost: 'Lost',
    amount: 'Deal amount',
    reason: 'Reason',
    recorded: { opportunity: '🎯 Recorded as an opportunity. Good luck!', won: '🏆 Recorded as won. Congratulations!', lost: 'Recorded as lost. Thanks for the reason – marketing learns from it.' },
    alreadySo: 'That is already recorded; nothing changed.',
    notAllowed: (status) => `No outcome can be recorded for this lead: it is ${status}.`,
    submit: 'Record',
    amountLabel: (currency) => `Deal amount in ${currency}`,
    amountPlaceholder: 'e.g. 20,000 or 20,000.50',
    badAmount: 'Please give an amount like 20,000 or 20,000.50.',
    reasonLabel: 'Why was it lost?',
    reasonPlaceholder: 'e.g. price, competitor, no budget',
    reasonRequired: 'Please say briefly why the deal was lost.',
  },
  charts: {
    day: (day, _month, monthName) => `${monthName} ${day}`,
    flow: {
      title: 'MQLs by day and what became of them',
      subtitle: (month, delivered, target) => `${month}: ${delivered} of ${target} MQLs delivered`,
      xAxis: 'Day received',
      yAxis: 'MQLs',
      accepted: 'Accepted',
      rejected: 'Rejected',
      nurture: 'Back to nurture',
      open: 'Still open',
      target: (perDay) => `Target pace: ${perDay} MQLs a day`,
      targetLabel: (perDay) => `Target ${perDay}/day`,
      alt: (month, delivered, target, perDay, accepted, rejected, nurture, open) =>
        `Bar chart of MQLs by day in ${month}, stacked by outcome, with the target pace of ${perDay} MQLs a day as a dashed line. ${delivered} of ${target} MQLs delivered: ${accepted} accepted, ${rejected} rejected, ${nurture} back to nurture, ${open} still open.`,
      altBusiest: (day, count) => ` Busiest day: ${day} with ${count} MQLs.`,
    },
    funnel: {
      title: 'From MQL to won deal',
      subtitle: (month, mqls, won, rate) => `${month}: ${mqls} MQLs became ${won} won deals (${rate})`,
      xAxis: 'Stage',
      yAxis: 'Leads',
      rateAxis: 'Rate',
      stages: { mqls: 'MQL', accepted: 'Accepted', contacted: 'Contacted', opportunities: 'Opportunity', won: 'Won' },
      leads: 'Leads at the stage',
      rate: 'Rate from the stage before',
      alt: (month, steps) => `Funnel of the MQLs of ${month}: ${steps}.`,
      altStep: (stage, count, rate) => `${stage} ${count} (${rate})`,
    },
    sources: {
      title: 'Which sources and campaigns deliver',
      subtitle: (month) => `${month}: acceptance rate of the MQLs, best first`,
      source: 'Source',
      campaign: 'Campaign',
      acceptance: 'Acceptance rate',
      revenue: 'Won revenue',
      revenueAxis: (deal) => `Won revenue (deals × ${deal} average deal)`,
      noCampaign: '(no campaign)',
      bar: (rate, accepted, leads) => `${rate} (${accepted} of ${leads})`,
      alt: (month, sources, campaigns) => `Bar chart of the acceptance rate in ${month}. By source: ${sources}. By campaign: ${campaigns}.`,
      altLine: (name, rate, accepted, leads) => `${name} ${rate} (${accepted} of ${leads})`,
      altRevenue: (revenue) => `, revenue ${revenue}`,
      none: 'no MQLs',
    },
    speed: {
      title: 'Speed to lead by queue against the SLA',
      subtitle: (month) => `${month}: median by queue; 100% = the SLA's deadline used up`,
      xAxis: 'Share of the SLA deadline (median)',
      yAxis: 'Queue',
      claim: 'Time to accept',
      contact: 'Time to first contact',
      sla: 'SLA deadline (100%)',
      slaLabel: 'SLA',
      bar: (share, onTime) => `${share} · ${onTime} on time`,
      alt: (month, queues) => `Bar chart of speed to lead in ${month}, the median by queue measured against the SLA's deadline: ${queues}.`,
      altQueue: (queue, claim, contact) => `${queue}: accept ${claim}, first contact ${contact}`,
      altTime: (share, inTime, count) => `${share} of the deadline, ${inTime} of ${count} in time`,
      none: 'no leads accepted',
    },
  },
  weekdays: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' },  why: {
    fields: { employees: 'employees', country: 'country', industry: 'industry' },
    teams: { field_sales: 'field sales', inside_sales: 'inside sales' },
    fits: (checks) => `fits the ideal customer profile: ${checks}`,
    fitsNoRules: 'fits (the agreement has no rules for the ideal customer profile)',
    notFit: (checks) => `does not fit the ideal customer profile: ${checks}`,
    unknown: { employees: 'employee count unknown', country: 'country unknown', industry: 'industry unknown' },
    min: (field, min, value) => `at least ${min} ${field} (${value})`,
    max: (field, max, value) => `at most ${max} ${field} (${value})`,
    in: (field, values, value) => `${field}: ${values} (${value})`,
    notIn: (field, values, value) => `${field}: not ${values} (${value})`,
    readiness: (score, signals, mql, sql) => `readiness ${score} ${score === 1 ? 'point' : 'points'} (${signals}; MQL from ${mql}, SQL from ${sql})`,
    noSignals: 'no signals',
    notAFit: 'kept in nurturing: outside the ideal customer profile',
    notReady: 'kept in nurturing: not ready yet',
    explored: (score, mql, percent) => `offered to explore: ${score} points, just below the MQL threshold ${mql} (${percent}% of such leads are offered so their outcomes show whether the threshold is right)`,
    grade: (stage, grade, label) => (label ? `${stage}, grade ${grade} (${label})` : `${stage}, grade ${grade}`),
    owner: (source, team) => `source "${source}" is owned by ${team}`,
    handover: (team) => `handed over to ${team}`,
    skipped: (queue, checks) => `${queue} skipped: ${checks}`,
    chosen: (queue, checks) => `${queue}: ${checks}`,
    takesAll: (queue) => `${queue}: takes every lead`,
    noQueue: (team) => `no ${team} queue takes this lead`,
    countryFits: (country, allowed) => `country ${country} fits (${allowed})`,
    countryOff: (country, allowed) => `country ${country} does not fit (only ${allowed})`,
    noCountry: (allowed) => `no country given (only ${allowed})`,
    industryFits: (industry, allowed) => `industry ${industry} fits (${allowed})`,
    industryOff: (industry, allowed) => `industry ${industry} does not fit (only ${allowed})`,
    noIndustry: (allowed) => `no industry given (only ${allowed})`,
    atLeast: (n, min) => `${n} employees, at least ${min}`,
    fewer: (n, min) => `${n} employees, fewer than ${min}`,
    unknownMin: (min) => `employee count unknown, the queue needs at least ${min}`,
    atMost: (n, max) => `${n} employees, at most ${max}`,
    more: (n, max) => `${n} employees, more than ${max}`,
    unknownMax: (max) => `employee count unknown, the queue takes at most ${max}`,
    excluded: (name) => `skipped ${name}: excluded (had the lead before)`,
    away: (name, until) => `skipped ${name}: away until ${until}`,
    full: (name, open, capacity) => `skipped ${name}: at capacity (${open} of ${capacity} open leads)`,
    offHours: (name) => `skipped ${name}: outside working hours`,
    nobody: 'nobody can take it now: offered to the whole queue',
    nobodyInHours: 'nobody is in working hours now; the SLA clock waits for working time',
    share: (credited, assigned, weight) => `${credited} credited, ${assigned} assigned, weight ${weight}`,
    only: (name, share) => `picked ${name}: the only one who can take it (${share})`,
    behind: (name, share) => `picked ${name}: furthest behind their fair share (${share})`,
    tie: (name, other, share, tieBreak) => `picked ${name}: level with ${other} on fair share (${share}), ${tieBreak}`,
    fewerOpen: (mine, theirs) => `fewer open leads (${mine} vs ${theirs})`,
    higherWeight: (mine, theirs) => `higher weight (${mine} vs ${theirs})`,
    byEmail: 'first by e-mail address',
    notPicked: (name, share) => `not picked ${name}: not further behind (${share})`,
    noArbiter: (name) => `${name} is not an arbiter in the agreement`,
    rejected: (name) => `${name} rejected the lead and cannot judge the dispute`,
    opened: (name) => `${name} opened the dispute and cannot judge it`,
    ownsLead: (name) => `${name} owns the lead and cannot judge it neutrally`,
    assigned: (name) => `it is assigned to ${name}; another arbiter decides only while ${name} is away`,
    head: { sales: (name) => `${name} is head of sales and not neutral`, marketing: (name) => `${name} is head of marketing and not neutral` },
    neutral: (name) => `${name} is a neutral arbiter`,
  },
  form: { cancel: 'Cancel', required: 'Required', optional: 'optional', badCharacters: 'Contains control or invalid characters; plain text only, please.', tooLong: (max) => `At most ${max.toLocaleString('en-GB')} characters, please.` },
  sandbox: {
    title: 'leadrelay sandbox',
    actAs: 'Act as',
    channels: 'Channels',
    directMessages: 'Direct messages',
    tryIt: 'Try it',
    postDigest: 'Post digest now',
    command: 'Command',
    send: 'Send',
    chart: 'Chart',
    marketing: 'Marketing',
    alignment: 'Alignment',
    checkSetup: 'Check setup',
    doctor: {
      verdict: 'Result',
      area: 'Area',
      subject: 'Checked',
      detail: 'Found',
      verdicts: { fine: 'fine', warn: 'look at', fail: 'to fix' },
      allFine: 'All set up.',
      toFix: 'Something is left to fix – see "to fix".',
    },
    examples: {
      demo: 'Demo request, 500 employees, Munich',
      ebook: 'E-book download by a student',
      referral: 'Referral from a customer',
    },
  },
  crm: {
    ownerChanged: (crm, company, owner) => `${company}: the owner in ${crm} was changed to ${owner} after leadrelay's decision. leadrelay did not overwrite it. The lead was accepted by `,
    ownerChangedEnd: ' – please settle who works it.',
    attemptSubject: (n) => `Contact attempt ${n} (leadrelay)`,
    attemptBody: (rep) => `Logged in leadrelay by ${rep}.`,
  },
};

export function texts(locale: Locale): Texts {
  return locale === 'de' ? de : en;
}

/** "1h30m" style for the SLA summary. */
export function minutesText(minutes: number, locale: Locale): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const unit = locale === 'de' ? { h: 'Std.', m: 'Min.' } : { h: 'h', m: 'min' };
  return [h ? `${h} ${unit.h}` : '', m ? `${m} ${unit.m}` : ''].filter(Boolean).join(' ');
}

/** How the agreement's codes read in its language: people by name, countries by name, labels for the rest. */
export interface Names {
  person(email: string): string;
  country(code: string): string;
  industry(code: string): string;
  signal(code: string): string;
  source(code: string): string;
  queue(id: string): string;
  team(team: Team): string;
  number(n: number): string;
  /** A YYYY-MM-DD day as the language writes it. */
  day(iso: string): string;
  /** "A, B or C". */
  or(items: readonly string[]): string;
}

interface Formats {
  countries: Intl.DisplayNames;
  number: Intl.NumberFormat;
  day: Intl.DateTimeFormat;
  or: Intl.ListFormat;
}
const formats = new Map<Locale, Formats>();

/** Building Intl formatters costs far more than using them: one set per language. */
function formatsOf(locale: Locale): Formats {
  let f = formats.get(locale);
  if (!f) {
    const tag = texts(locale).digest.locale;
    f = {
      countries: new Intl.DisplayNames([tag], { type: 'region', fallback: 'code' }),
      number: new Intl.NumberFormat(tag, { maximumFractionDigits: 1 }),
      day: new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone: 'UTC' }),
      or: new Intl.ListFormat(tag, { type: 'disjunction' }),
    };
    formats.set(locale, f);
  }
  return f;
}

export function names(agreement: Agreement): Names {
  const f = formatsOf(agreement.locale);
  const labels = agreement.labels;
  const label = (table: Record<string, string>, code: string) => (Object.hasOwn(table, code) ? (table[code] as string) : code);
  return {
    person: (email) => agreement.people.find((p) => p.email === email.toLowerCase())?.name ?? email,
    // Intl throws on what is not a region code; a lead may send anything.
    country: (code) => (/^[A-Za-z]{2}$/.test(code) ? (f.countries.of(code.toUpperCase()) ?? code) : code),
    industry: (code) => label(labels.industries, code),
    signal: (code) => label(labels.signals, code),
    source: (code) => label(labels.sources, code),
    queue: (id) => agreement.routing.queues.find((q) => q.id === id)?.name ?? id,
    team: (team) => texts(agreement.locale).why.teams[team] ?? team,
    number: (n) => f.number.format(n),
    day: (iso) => {
      const d = new Date(`${iso}T00:00:00Z`);
      return Number.isNaN(d.getTime()) ? iso : f.day.format(d);
    },
    or: (items) => f.or.format(items),
  };
}

function fitCheckText(c: FitCheck, w: Texts['why'], n: Names): string {
  const shown = (value: number | string) => {
    if (typeof value === 'number') return n.number(value);
    return c.field === 'country' ? n.country(value) : c.field === 'industry' ? n.industry(value) : value;
  };
  const field = w.fields[c.field];
  switch (c.code) {
    case 'fit.unknown': return w.unknown[c.field];
    case 'fit.min': return w.min(field, n.number(c.min), shown(c.value));
    case 'fit.max': return w.max(field, n.number(c.max), shown(c.value));
    case 'fit.in': return w.in(field, n.or(c.values.map(shown)), shown(c.value));
    case 'fit.notIn': return w.notIn(field, n.or(c.values.map(shown)), shown(c.value));
  }
}

function filterCheckText(c: FilterCheck, w: Texts['why'], n: Names): string {
  switch (c.code) {
    case 'filter.country': {
      const allowed = n.or(c.allowed.map(n.country));
      if (c.value === null) return w.noCountry(allowed);
      return (c.ok ? w.countryFits : w.countryOff)(n.country(c.value), allowed);
    }
    case 'filter.industry': {
      const allowed = n.or(c.allowed.map(n.industry));
      if (c.value === null) return w.noIndustry(allowed);
      return (c.ok ? w.industryFits : w.industryOff)(n.industry(c.value), allowed);
    }
    case 'filter.minEmployees':
      if (c.value === null) return w.unknownMin(n.number(c.min));
      return (c.ok ? w.atLeast : w.fewer)(n.number(c.value), n.number(c.min));
    case 'filter.maxEmployees':
      if (c.value === null) return w.unknownMax(n.number(c.max));
      return (c.ok ? w.atMost : w.more)(n.number(c.value), n.number(c.max));
  }
}

/** One reason as a sentence in the agreement's language. */
export function explain(reason: Reason, agreement: Agreement): string {
  const w = texts(agreement.locale).why;
  const n = names(agreement);
  const share = (s: Share) => w.share(n.number(s.credited), n.number(s.assigned), n.number(s.weight));
  const checks = (list: readonly FilterCheck[]) => list.map((c) => filterCheckText(c, w, n)).join('; ');
  switch (reason.code) {
    case 'text': return reason.text;
    case 'fit': {
      const list = reason.checks.map((c) => fitCheckText(c, w, n)).join('; ');
      if (!reason.fits) return w.notFit(list);
      return list ? w.fits(list) : w.fitsNoRules;
    }
    case 'readiness': {
      const signals = reason.signals.map((s) => `${n.signal(s.signal)} +${n.number(s.points)}`).join(', ') || w.noSignals;
      return w.readiness(reason.score, signals, n.number(reason.mql), n.number(reason.sql));
    }
    case 'nurture': return reason.why === 'not_a_fit' ? w.notAFit : w.notReady;
    case 'explore': return w.explored(n.number(reason.score), n.number(reason.mql), n.number(reason.percent));
    case 'grade': {
      const label = agreement.definitions.grades.find((g) => g.id === reason.grade)?.label ?? '';
      return w.grade(reason.stage, reason.grade, label);
    }
    case 'queue.owner': return w.owner(n.source(reason.source), n.team(reason.team));
    case 'queue.handover': return w.handover(n.team(reason.team));
    case 'queue.skipped': return w.skipped(n.queue(reason.queue), checks(reason.checks));
    case 'queue.chosen': return reason.checks.length ? w.chosen(n.queue(reason.queue), checks(reason.checks)) : w.takesAll(n.queue(reason.queue));
    case 'queue.none': return w.noQueue(n.team(reason.team));
    case 'rep.skipped': {
      const name = n.person(reason.rep);
      if (reason.why === 'away') return w.away(name, n.day(reason.until));
      if (reason.why === 'capacity') return w.full(name, n.number(reason.open), n.number(reason.capacity));
      return reason.why === 'excluded' ? w.excluded(name) : w.offHours(name);
    }
    case 'rep.nobody': return w.nobody;
    case 'rep.offHours': return w.nobodyInHours;
    case 'rep.picked': {
      const name = n.person(reason.rep);
      if (reason.why === 'only') return w.only(name, share(reason));
      if (reason.why === 'behind') return w.behind(name, share(reason));
      const tieBreak = reason.tieBreak === 'email' ? w.byEmail
        : (reason.tieBreak === 'open' ? w.fewerOpen : w.higherWeight)(n.number(reason.mine), n.number(reason.theirs));
      return w.tie(name, n.person(reason.level), share(reason), tieBreak);
    }
    case 'rep.notPicked': return w.notPicked(n.person(reason.rep), share(reason));
    case 'arbiter.none': return w.noArbiter(n.person(reason.person));
    case 'arbiter.rejected': return w.rejected(n.person(reason.person));
    case 'arbiter.opened': return w.opened(n.person(reason.person));
    case 'arbiter.owner': return w.ownsLead(n.person(reason.person));
    case 'arbiter.assigned': return w.assigned(n.person(reason.assigned));
    case 'arbiter.head': return w.head[reason.head](n.person(reason.person));
    case 'arbiter.neutral': return w.neutral(n.person(reason.person));
  }
}
