//! The authorization matrix: every route the router knows, requested as every kind of person,
//! is allowed or denied as declared below. The routes are read from the source, so a new
//! route without a declared permission fails this test until someone decides who may use it.
//!
//! "Denied" means 401, 403, 404 or a redirect to the login page; anything else (a page, a
//! redirect elsewhere, a validation error) means the request got past the access checks.

use pico_kernel::identity::{self, Role, sessions};
use pico_kernel::territory::model::comune;
use pico_kernel::test_support::{Browser, PASSWORD, TestApp, field_value};
use pico_portal::model::{self, Draft, Kind, Status, content, library};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Persona {
    Anonymous,
    /// Registered, no role.
    Registered,
    /// Member of Oderzo, a Comune of Treviso.
    EnteMember,
    /// Administrator of Brescia's Comune: another Province's Ente.
    OtherEnteAdmin,
    /// Editor in Brescia's space.
    OtherEditor,
    /// Administrator of Brescia's space.
    OtherAdmin,
    /// Operator of a module in Brescia.
    OtherOperator,
    /// Help desk agent of Brescia.
    OtherAgent,
    /// Help desk agent of Treviso.
    TrevisoAgent,
    /// Administrator of Treviso's space, whose resources the requests target.
    TrevisoAdmin,
    PlatformAdmin,
}

use Persona::*;

const PERSONAS: [Persona; 11] = [
    Anonymous,
    Registered,
    EnteMember,
    OtherEnteAdmin,
    OtherEditor,
    OtherAdmin,
    OtherOperator,
    OtherAgent,
    TrevisoAgent,
    TrevisoAdmin,
    PlatformAdmin,
];

impl Persona {
    fn email(self) -> Option<&'static str> {
        Some(match self {
            Anonymous => return None,
            Registered => "utente@example.it",
            EnteMember => "membro.oderzo@example.it",
            OtherEnteAdmin => "admin.comune.brescia@example.it",
            OtherEditor => "redattore.brescia@example.it",
            OtherAdmin => "admin.brescia@example.it",
            OtherOperator => "operatore.brescia@example.it",
            OtherAgent => "assistenza.brescia@example.it",
            TrevisoAgent => "assistenza.treviso@example.it",
            TrevisoAdmin => "admin.treviso@example.it",
            PlatformAdmin => "piattaforma@example.it",
        })
    }
}

/// Who may use a route.
#[derive(Debug, Clone, Copy)]
enum Access {
    Everyone,
    SignedIn,
    /// Administrators of the space (Treviso here) and of the platform.
    SpaceAdmin,
    /// The space's editors, with the same administrators (no persona edits Treviso only).
    Editors,
    PlatformAdmin,
    /// The people of an Ente of Treviso's territory (Oderzo, which has an SUA agreement).
    TrevisoEnte,
    /// Those of Treviso's Ente and Treviso's SUA operators, with the same administrators.
    SuaReaders,
    /// Treviso's SUA operators: the space's administrators (no persona is Treviso's operator).
    SuaOperators,
    /// The help desk agents of the space (Treviso here), its administrators and the
    /// platform's: an agent of Brescia is nobody in Treviso's queue.
    Agents,
    /// The requester of the ticket only, not even its agents: `{ticket}` is someone else's,
    /// so every persona is refused.
    TicketRequester,
}

impl Access {
    fn allows(self, persona: Persona) -> bool {
        match self {
            Access::Everyone => true,
            Access::SignedIn => persona != Anonymous,
            Access::SpaceAdmin | Access::Editors => matches!(persona, TrevisoAdmin | PlatformAdmin),
            Access::PlatformAdmin => persona == PlatformAdmin,
            Access::TrevisoEnte => persona == EnteMember,
            Access::SuaReaders => matches!(persona, EnteMember | TrevisoAdmin | PlatformAdmin),
            Access::SuaOperators => matches!(persona, TrevisoAdmin | PlatformAdmin),
            Access::Agents => matches!(persona, TrevisoAgent | TrevisoAdmin | PlatformAdmin),
            Access::TicketRequester => false,
        }
    }
}

/// What a request carries besides the CSRF token; some values are made per request.
#[derive(Debug, Clone, Copy)]
enum Body {
    None,
    Form(&'static [(&'static str, &'static str)]),
    /// A multipart form whose file, in the part so named, is not one the platform accepts.
    File(&'static str),
    /// Another session of the person, to end.
    OwnSession,
    /// A token of the person, to revoke.
    OwnToken,
    /// A role someone holds in Treviso, to revoke.
    TrevisoGrant,
    /// A pending request to join Oderzo, to refuse.
    OderzoRequest,
    /// A background job that failed, to try again.
    FailedJob,
    /// A news item the national space shares with the Provinces, to decline.
    SharedItem,
    /// A useful link of Treviso's home page, to remove.
    TrevisoLink,
}

struct Rule {
    method: &'static str,
    route: &'static str,
    /// The route with its parameters filled in.
    path: &'static str,
    access: Access,
    body: Body,
}

const fn rule(
    method: &'static str,
    route: &'static str,
    path: &'static str,
    access: Access,
    body: Body,
) -> Rule {
    Rule {
        method,
        route,
        path,
        access,
        body,
    }
}

const WRONG_LOGIN: &[(&str, &str)] = &[("email", "nessuno@example.it"), ("password", "sbagliata")];
const EMPTY: &[(&str, &str)] = &[];

#[rustfmt::skip]
const RULES: &[Rule] = &[
    // Probes, assets and the federation metadata.
    rule("GET", "/healthz", "/healthz", Access::Everyone, Body::None),
    rule("GET", "/readyz", "/readyz", Access::Everyone, Body::None),
    rule("GET", "/static/{version}/{*path}", "/static/{version}/pico/pico.css", Access::Everyone, Body::None),
    rule("GET", "/media/{*key}", "/media/{media}", Access::Everyone, Body::None),
    rule("GET", "/{space}/tema.css", "/treviso/tema.css", Access::Everyone, Body::None),
    rule("GET", "/.well-known/openid-federation", "/.well-known/openid-federation", Access::Everyone, Body::None),
    // Public pages.
    rule("GET", "/", "/", Access::Everyone, Body::None),
    rule("GET", "/spazi", "/spazi", Access::Everyone, Body::None),
    rule("GET", "/accessibilita", "/accessibilita", Access::Everyone, Body::None),
    rule("GET", "/privacy", "/privacy", Access::Everyone, Body::None),
    rule("GET", "/note-legali", "/note-legali", Access::Everyone, Body::None),
    rule("GET", "/{space}", "/treviso", Access::Everyone, Body::None),
    rule("GET", "/{space}/comuni", "/treviso/comuni", Access::Everyone, Body::None),
    rule("GET", "/robots.txt", "/robots.txt", Access::Everyone, Body::None),
    rule("GET", "/sitemap.xml", "/sitemap.xml", Access::Everyone, Body::None),
    rule("GET", "/cerca", "/cerca?q=prova", Access::Everyone, Body::None),
    rule("GET", "/{space}/notizie", "/treviso/notizie", Access::Everyone, Body::None),
    rule("GET", "/{space}/notizie/{slug}", "/treviso/notizie/notizia-di-prova", Access::Everyone, Body::None),
    rule("GET", "/{space}/eventi", "/treviso/eventi", Access::Everyone, Body::None),
    rule("GET", "/{space}/eventi/{slug}", "/treviso/eventi/evento-di-prova", Access::Everyone, Body::None),
    rule("GET", "/{space}/eventi/{slug}/evento.ics", "/treviso/eventi/evento-di-prova/evento.ics", Access::Everyone, Body::None),
    rule("GET", "/{space}/eventi.ics", "/treviso/eventi.ics", Access::Everyone, Body::None),
    rule("GET", "/{space}/pagine/{slug}", "/treviso/pagine/pagina-di-prova", Access::Everyone, Body::None),
    rule("GET", "/{space}/feed.atom", "/treviso/feed.atom", Access::Everyone, Body::None),
    rule("GET", "/{space}/feed.rss", "/treviso/feed.rss", Access::Everyone, Body::None),
    // Signing in, registering, recovering.
    rule("GET", "/accedi", "/accedi", Access::Everyone, Body::None),
    rule("POST", "/accedi", "/accedi", Access::Everyone, Body::Form(WRONG_LOGIN)),
    rule("POST", "/esci", "/esci", Access::SignedIn, Body::Form(EMPTY)),
    rule("GET", "/accedi/spid-cie/{provider}", "/accedi/spid-cie/spid-test", Access::Everyone, Body::None),
    rule("GET", "/accedi/spid-cie/ritorno", "/accedi/spid-cie/ritorno", Access::Everyone, Body::None),
    rule("GET", "/registrati", "/registrati", Access::Everyone, Body::None),
    rule("POST", "/registrati", "/registrati", Access::Everyone, Body::Form(EMPTY)),
    rule("GET", "/conferma-email/{token}", "/conferma-email/sconosciuto", Access::Everyone, Body::None),
    rule("POST", "/conferma-email/{token}", "/conferma-email/sconosciuto", Access::Everyone, Body::Form(EMPTY)),
    rule("GET", "/password-dimenticata", "/password-dimenticata", Access::Everyone, Body::None),
    rule("POST", "/password-dimenticata", "/password-dimenticata", Access::Everyone, Body::Form(EMPTY)),
    rule("GET", "/reimposta-password/{token}", "/reimposta-password/sconosciuto", Access::Everyone, Body::None),
    rule("POST", "/reimposta-password/{token}", "/reimposta-password/sconosciuto", Access::Everyone, Body::Form(EMPTY)),
    // The personal area: one's own things only.
    rule("GET", "/profilo", "/profilo", Access::SignedIn, Body::None),
    rule("POST", "/profilo", "/profilo", Access::SignedIn, Body::Form(EMPTY)),
    rule("POST", "/profilo/password", "/profilo/password", Access::SignedIn, Body::Form(&[("current", "sbagliata")])),
    rule("POST", "/profilo/email", "/profilo/email", Access::SignedIn, Body::Form(&[("email", "x")])),
    rule("POST", "/profilo/sessioni/termina", "/profilo/sessioni/termina", Access::SignedIn, Body::OwnSession),
    rule("GET", "/profilo/token", "/profilo/token", Access::SignedIn, Body::None),
    rule("POST", "/profilo/token", "/profilo/token", Access::SignedIn, Body::Form(EMPTY)),
    rule("POST", "/profilo/token/revoca", "/profilo/token/revoca", Access::SignedIn, Body::OwnToken),
    rule("GET", "/profilo/dati", "/profilo/dati", Access::SignedIn, Body::None),
    rule("GET", "/profilo/dati/esporta", "/profilo/dati/esporta", Access::SignedIn, Body::None),
    rule("POST", "/profilo/elimina", "/profilo/elimina", Access::SignedIn, Body::Form(&[("current", "sbagliata")])),
    rule("GET", "/profilo/enti", "/profilo/enti", Access::SignedIn, Body::None),
    rule("POST", "/profilo/enti", "/profilo/enti", Access::SignedIn, Body::Form(EMPTY)),
    // Administration of Treviso's space.
    rule("GET", "/{space}/gestione", "/treviso/gestione", Access::SpaceAdmin, Body::None),
    rule("POST", "/{space}/gestione", "/treviso/gestione", Access::SpaceAdmin, Body::Form(&[("name", "")])),
    rule("POST", "/{space}/gestione/logo", "/treviso/gestione/logo", Access::SpaceAdmin, Body::File("logo")),
    rule("POST", "/{space}/gestione/moduli", "/treviso/gestione/moduli", Access::SpaceAdmin, Body::Form(&[("module", "inesistente")])),
    rule("GET", "/{space}/gestione/ruoli", "/treviso/gestione/ruoli", Access::SpaceAdmin, Body::None),
    rule("POST", "/{space}/gestione/ruoli", "/treviso/gestione/ruoli", Access::SpaceAdmin, Body::Form(&[("email", "utente@example.it"), ("role", "editor"), ("ente", "1")])),
    rule("POST", "/{space}/gestione/ruoli/revoca", "/treviso/gestione/ruoli/revoca", Access::SpaceAdmin, Body::TrevisoGrant),
    rule("GET", "/{space}/gestione/richieste", "/treviso/gestione/richieste", Access::SpaceAdmin, Body::None),
    rule("POST", "/{space}/gestione/richieste/decidi", "/treviso/gestione/richieste/decidi", Access::SpaceAdmin, Body::OderzoRequest),
    rule("GET", "/{space}/gestione/registro", "/treviso/gestione/registro", Access::SpaceAdmin, Body::None),
    // Treviso's agreements with its Enti; `{agreement}` is made for each request.
    rule("GET", "/{space}/gestione/convenzioni", "/treviso/gestione/convenzioni", Access::SpaceAdmin, Body::None),
    rule("POST", "/{space}/gestione/convenzioni", "/treviso/gestione/convenzioni", Access::SpaceAdmin, Body::File("document")),
    rule("POST", "/{space}/gestione/convenzioni/{id}/termina", "/treviso/gestione/convenzioni/{agreement}/termina", Access::SpaceAdmin, Body::Form(&[("ends_on", "")])),
    rule("GET", "/{space}/gestione/convenzioni/{id}/documento", "/treviso/gestione/convenzioni/{agreement}/documento", Access::SpaceAdmin, Body::None),
    // The content of Treviso's space; `{item}` is a draft made for each request.
    rule("GET", "/{space}/gestione/contenuti", "/treviso/gestione/contenuti", Access::Editors, Body::None),
    rule("GET", "/{space}/gestione/contenuti/nuovo/{kind}", "/treviso/gestione/contenuti/nuovo/news", Access::Editors, Body::None),
    rule("POST", "/{space}/gestione/contenuti/nuovo/{kind}", "/treviso/gestione/contenuti/nuovo/news", Access::Editors, Body::Form(&[("title", "")])),
    rule("GET", "/{space}/gestione/contenuti/{id}", "/treviso/gestione/contenuti/{item}", Access::Editors, Body::None),
    rule("POST", "/{space}/gestione/contenuti/{id}", "/treviso/gestione/contenuti/{item}", Access::Editors, Body::Form(&[("title", "")])),
    rule("POST", "/{space}/gestione/contenuti/{id}/stato", "/treviso/gestione/contenuti/{item}/stato", Access::Editors, Body::Form(&[("to", "publish")])),
    rule("GET", "/{space}/gestione/contenuti/{id}/anteprima", "/treviso/gestione/contenuti/{item}/anteprima", Access::Editors, Body::None),
    rule("GET", "/{space}/gestione/contenuti/{id}/revisioni", "/treviso/gestione/contenuti/{item}/revisioni", Access::Editors, Body::None),
    rule("POST", "/{space}/gestione/contenuti/{id}/revisioni/ripristina", "/treviso/gestione/contenuti/{item}/revisioni/ripristina", Access::Editors, Body::Form(&[("number", "1")])),
    rule("POST", "/{space}/gestione/contenuti/{id}/elimina", "/treviso/gestione/contenuti/{item}/elimina", Access::Editors, Body::Form(EMPTY)),
    rule("GET", "/{space}/gestione/condivisi", "/treviso/gestione/condivisi", Access::Editors, Body::None),
    rule("POST", "/{space}/gestione/condivisi", "/treviso/gestione/condivisi", Access::Editors, Body::SharedItem),
    rule("GET", "/{space}/gestione/link", "/treviso/gestione/link", Access::Editors, Body::None),
    rule("POST", "/{space}/gestione/link", "/treviso/gestione/link", Access::Editors, Body::Form(&[("label", "")])),
    rule("POST", "/{space}/gestione/link/rimuovi", "/treviso/gestione/link/rimuovi", Access::Editors, Body::TrevisoLink),
    // Treviso's newsletter; `{subscriber}` is a fresh request to subscribe, `{campaign}` a fresh draft.
    rule("GET", "/{space}/newsletter", "/treviso/newsletter", Access::Everyone, Body::None),
    rule("POST", "/{space}/newsletter", "/treviso/newsletter", Access::Everyone, Body::Form(&[("email", "")])),
    rule("GET", "/{space}/newsletter/conferma/{token}", "/treviso/newsletter/conferma/{subscriber}", Access::Everyone, Body::None),
    rule("POST", "/{space}/newsletter/conferma/{token}", "/treviso/newsletter/conferma/{subscriber}", Access::Everyone, Body::Form(EMPTY)),
    rule("GET", "/{space}/newsletter/disiscrizione/{token}", "/treviso/newsletter/disiscrizione/{subscriber}", Access::Everyone, Body::None),
    rule("POST", "/{space}/newsletter/disiscrizione/{token}", "/treviso/newsletter/disiscrizione/{subscriber}", Access::Everyone, Body::Form(EMPTY)),
    rule("GET", "/{space}/newsletter/gestione", "/treviso/newsletter/gestione", Access::Editors, Body::None),
    rule("GET", "/{space}/newsletter/gestione/nuova", "/treviso/newsletter/gestione/nuova", Access::Editors, Body::None),
    rule("POST", "/{space}/newsletter/gestione/nuova", "/treviso/newsletter/gestione/nuova", Access::Editors, Body::Form(&[("subject", "")])),
    rule("GET", "/{space}/newsletter/gestione/{id}", "/treviso/newsletter/gestione/{campaign}", Access::Editors, Body::None),
    rule("POST", "/{space}/newsletter/gestione/{id}", "/treviso/newsletter/gestione/{campaign}", Access::Editors, Body::Form(&[("subject", "")])),
    rule("POST", "/{space}/newsletter/gestione/{id}/prova", "/treviso/newsletter/gestione/{campaign}/prova", Access::Editors, Body::Form(EMPTY)),
    rule("POST", "/{space}/newsletter/gestione/{id}/invia", "/treviso/newsletter/gestione/{campaign}/invia", Access::Editors, Body::Form(EMPTY)),
    rule("POST", "/{space}/newsletter/gestione/{id}/elimina", "/treviso/newsletter/gestione/{campaign}/elimina", Access::Editors, Body::Form(EMPTY)),
    // Treviso's SUA; `{sua_request}` is a fresh request of Oderzo with a document
    // (`{sua_document}`), `{sua_tender}` the tender of another, accepted.
    rule("GET", "/{space}/sua", "/treviso/sua", Access::SuaReaders, Body::None),
    rule("GET", "/{space}/sua/cpv", "/treviso/sua/cpv?q=neve", Access::Everyone, Body::None),
    rule("GET", "/{space}/sua/richieste/nuova", "/treviso/sua/richieste/nuova", Access::TrevisoEnte, Body::None),
    rule("POST", "/{space}/sua/richieste/nuova", "/treviso/sua/richieste/nuova", Access::TrevisoEnte, Body::File("documents")),
    rule("GET", "/{space}/sua/richieste/{id}", "/treviso/sua/richieste/{sua_request}", Access::SuaReaders, Body::None),
    rule("POST", "/{space}/sua/richieste/{id}/accetta", "/treviso/sua/richieste/{sua_request}/accetta", Access::SuaOperators, Body::Form(EMPTY)),
    rule("POST", "/{space}/sua/richieste/{id}/rifiuta", "/treviso/sua/richieste/{sua_request}/rifiuta", Access::SuaOperators, Body::Form(&[("reason", "")])),
    rule("GET", "/{space}/sua/documenti/{id}", "/treviso/sua/documenti/{sua_document}", Access::SuaReaders, Body::None),
    rule("GET", "/{space}/sua/gare/{id}", "/treviso/sua/gare/{sua_tender}", Access::SuaReaders, Body::None),
    rule("POST", "/{space}/sua/gare/{id}", "/treviso/sua/gare/{sua_tender}", Access::SuaOperators, Body::Form(&[("cig", "sbagliato")])),
    rule("POST", "/{space}/sua/gare/{id}/fasi/{phase}", "/treviso/sua/gare/{sua_tender}/fasi/progettazione", Access::SuaOperators, Body::Form(&[("deadline", "2027-01-31")])),
    rule("POST", "/{space}/sua/gare/{id}/avanza", "/treviso/sua/gare/{sua_tender}/avanza", Access::SuaOperators, Body::Form(&[("from", "programmazione")])),
    rule("POST", "/{space}/sua/gare/{id}/enti", "/treviso/sua/gare/{sua_tender}/enti", Access::SuaOperators, Body::Form(&[("ente", "")])),
    rule("POST", "/{space}/sua/gare/{id}/documenti", "/treviso/sua/gare/{sua_tender}/documenti", Access::SuaOperators, Body::File("document")),
    rule("GET", "/{space}/sua/rup", "/treviso/sua/rup", Access::SuaOperators, Body::None),
    rule("POST", "/{space}/sua/rup", "/treviso/sua/rup", Access::SuaOperators, Body::Form(&[("name", "")])),
    rule("POST", "/{space}/sua/rup/{id}/disponibilita", "/treviso/sua/rup/{rup}/disponibilita", Access::SuaOperators, Body::Form(EMPTY)),
    rule("POST", "/{space}/sua/gare/{id}/rup", "/treviso/sua/gare/{sua_tender}/rup", Access::SuaOperators, Body::Form(&[("rup", "")])),
    rule("POST", "/{space}/sua/gare/{id}/lotti/{lot}", "/treviso/sua/gare/{sua_tender}/lotti/1", Access::SuaOperators, Body::Form(&[("cig", "sbagliato")])),
    rule("GET", "/{space}/sua/gare/{id}/fascicolo", "/treviso/sua/gare/{sua_tender}/fascicolo", Access::SuaOperators, Body::None),
    rule("POST", "/{space}/sua/gare/{id}/supporto/{ente}", "/treviso/sua/gare/{sua_tender}/supporto/{oderzo}", Access::SuaReaders, Body::Form(&[("body", "")])),
    rule("POST", "/{space}/sua/gare/{id}/aggiudicazione", "/treviso/sua/gare/{sua_tender}/aggiudicazione", Access::SuaOperators, Body::Form(&[("supplier_name", "")])),
    rule("POST", "/{space}/sua/gare/{id}/verifiche/{check}", "/treviso/sua/gare/{sua_tender}/verifiche/1", Access::SuaOperators, Body::Form(&[("outcome", "regolare")])),
    rule("GET", "/api/v1/spaces/{space}/sua/ocds", "/api/v1/spaces/treviso/sua/ocds", Access::Everyone, Body::None),
    rule("GET", "/api/v1/spaces/{space}/sua/gare.csv", "/api/v1/spaces/treviso/sua/gare.csv", Access::Everyone, Body::None),
    // Treviso's needs-collection campaigns; `{sua_campaign}` is a fresh one, sent to Oderzo.
    rule("GET", "/{space}/sua/campagne", "/treviso/sua/campagne", Access::SuaReaders, Body::None),
    rule("GET", "/{space}/sua/campagne/nuova", "/treviso/sua/campagne/nuova", Access::SuaOperators, Body::None),
    rule("POST", "/{space}/sua/campagne/nuova", "/treviso/sua/campagne/nuova", Access::SuaOperators, Body::Form(&[("title", "")])),
    rule("GET", "/{space}/sua/campagne/{id}", "/treviso/sua/campagne/{sua_campaign}", Access::SuaOperators, Body::None),
    rule("POST", "/{space}/sua/campagne/{id}/voci", "/treviso/sua/campagne/{sua_campaign}/voci", Access::SuaOperators, Body::Form(&[("name", "")])),
    rule("POST", "/{space}/sua/campagne/{id}/voci/{item}/elimina", "/treviso/sua/campagne/{sua_campaign}/voci/0/elimina", Access::SuaOperators, Body::Form(EMPTY)),
    rule("POST", "/{space}/sua/campagne/{id}/invia", "/treviso/sua/campagne/{sua_campaign}/invia", Access::SuaOperators, Body::Form(EMPTY)),
    rule("POST", "/{space}/sua/campagne/{id}/chiudi", "/treviso/sua/campagne/{sua_campaign}/chiudi", Access::SuaOperators, Body::Form(EMPTY)),
    rule("GET", "/{space}/sua/campagne/{id}/risposta", "/treviso/sua/campagne/{sua_campaign}/risposta", Access::TrevisoEnte, Body::None),
    rule("POST", "/{space}/sua/campagne/{id}/risposta", "/treviso/sua/campagne/{sua_campaign}/risposta", Access::TrevisoEnte, Body::Form(&[("azione", "bozza")])),
    rule("GET", "/{space}/sua/campagne/{id}/aggregato", "/treviso/sua/campagne/{sua_campaign}/aggregato", Access::SuaOperators, Body::None),
    rule("GET", "/{space}/sua/campagne/{id}/aggregato.csv", "/treviso/sua/campagne/{sua_campaign}/aggregato.csv", Access::SuaOperators, Body::None),
    rule("POST", "/{space}/sua/campagne/{id}/gara", "/treviso/sua/campagne/{sua_campaign}/gara", Access::SuaOperators, Body::Form(EMPTY)),
    // Treviso's help desk; `{ticket}` is a fresh ticket of someone else with `{attachment}`,
    // `{team}` a fresh team of Treviso, `{rule}` a fresh routing rule.
    rule("GET", "/{space}/helpdesk", "/treviso/helpdesk", Access::SignedIn, Body::None),
    rule("GET", "/{space}/helpdesk/nuovo", "/treviso/helpdesk/nuovo", Access::SignedIn, Body::None),
    rule("POST", "/{space}/helpdesk/nuovo", "/treviso/helpdesk/nuovo", Access::SignedIn, Body::File("allegati")),
    // Help without an account; `{guest}` is the private link of a fresh guest's ticket.
    rule("GET", "/{space}/helpdesk/aiuto", "/treviso/helpdesk/aiuto", Access::Everyone, Body::None),
    rule("POST", "/{space}/helpdesk/aiuto", "/treviso/helpdesk/aiuto", Access::Everyone, Body::Form(EMPTY)),
    rule("GET", "/{space}/helpdesk/segui/{token}", "/treviso/helpdesk/segui/{guest}", Access::Everyone, Body::None),
    rule("POST", "/{space}/helpdesk/segui/{token}/risposta", "/treviso/helpdesk/segui/{guest}/risposta", Access::Everyone, Body::Form(EMPTY)),
    rule("POST", "/{space}/helpdesk/segui/{token}/valutazione", "/treviso/helpdesk/segui/{guest}/valutazione", Access::Everyone, Body::Form(&[("punteggio", "5")])),
    // Frequently asked questions; `{faq}` is a fresh published entry.
    rule("GET", "/{space}/helpdesk/faq", "/treviso/helpdesk/faq", Access::Everyone, Body::None),
    rule("GET", "/{space}/helpdesk/faq/suggerimenti", "/treviso/helpdesk/faq/suggerimenti?q=accesso", Access::Everyone, Body::None),
    rule("POST", "/{space}/helpdesk/faq/{id}/utile", "/treviso/helpdesk/faq/{faq}/utile", Access::Everyone, Body::Form(&[("utile", "si")])),
    rule("GET", "/{space}/helpdesk/faq/nuova", "/treviso/helpdesk/faq/nuova", Access::Agents, Body::None),
    rule("POST", "/{space}/helpdesk/faq/nuova", "/treviso/helpdesk/faq/nuova", Access::Agents, Body::Form(EMPTY)),
    rule("GET", "/{space}/helpdesk/faq/{id}/modifica", "/treviso/helpdesk/faq/{faq}/modifica", Access::Agents, Body::None),
    rule("POST", "/{space}/helpdesk/faq/{id}/modifica", "/treviso/helpdesk/faq/{faq}/modifica", Access::Agents, Body::Form(EMPTY)),
    rule("POST", "/{space}/helpdesk/faq/{id}/elimina", "/treviso/helpdesk/faq/{faq}/elimina", Access::Agents, Body::Form(EMPTY)),
    rule("GET", "/{space}/helpdesk/coda", "/treviso/helpdesk/coda", Access::Agents, Body::None),
    // Saved replies; `{saved}` is a fresh one of Treviso.
    rule("GET", "/{space}/helpdesk/risposte", "/treviso/helpdesk/risposte", Access::Agents, Body::None),
    rule("POST", "/{space}/helpdesk/risposte", "/treviso/helpdesk/risposte", Access::Agents, Body::Form(EMPTY)),
    rule("GET", "/{space}/helpdesk/risposte/{id}", "/treviso/helpdesk/risposte/{saved}", Access::Agents, Body::None),
    rule("POST", "/{space}/helpdesk/risposte/{id}", "/treviso/helpdesk/risposte/{saved}", Access::Agents, Body::Form(EMPTY)),
    rule("POST", "/{space}/helpdesk/risposte/{id}/elimina", "/treviso/helpdesk/risposte/{saved}/elimina", Access::Agents, Body::Form(EMPTY)),
    rule("GET", "/{space}/helpdesk/ticket/{id}", "/treviso/helpdesk/ticket/{ticket}", Access::Agents, Body::None),
    rule("POST", "/{space}/helpdesk/ticket/{id}/risposta", "/treviso/helpdesk/ticket/{ticket}/risposta", Access::Agents, Body::Form(EMPTY)),
    rule("POST", "/{space}/helpdesk/ticket/{id}/modifica", "/treviso/helpdesk/ticket/{ticket}/modifica", Access::Agents, Body::Form(EMPTY)),
    rule("POST", "/{space}/helpdesk/ticket/{id}/unisci", "/treviso/helpdesk/ticket/{ticket}/unisci", Access::Agents, Body::Form(EMPTY)),
    rule("POST", "/{space}/helpdesk/ticket/{id}/valutazione", "/treviso/helpdesk/ticket/{ticket}/valutazione", Access::TicketRequester, Body::Form(&[("punteggio", "5")])),
    rule("GET", "/{space}/helpdesk/rapporti", "/treviso/helpdesk/rapporti", Access::Agents, Body::None),
    rule("GET", "/{space}/helpdesk/rapporti.csv", "/treviso/helpdesk/rapporti.csv", Access::Agents, Body::None),
    rule("GET", "/{space}/helpdesk/ticket/{id}/allegati/{file}", "/treviso/helpdesk/ticket/{ticket}/allegati/{attachment}", Access::Agents, Body::None),
    rule("GET", "/{space}/helpdesk/gestione", "/treviso/helpdesk/gestione", Access::SpaceAdmin, Body::None),
    rule("POST", "/{space}/helpdesk/gestione/orari", "/treviso/helpdesk/gestione/orari", Access::SpaceAdmin, Body::Form(EMPTY)),
    rule("POST", "/{space}/helpdesk/gestione/sla", "/treviso/helpdesk/gestione/sla", Access::SpaceAdmin, Body::Form(EMPTY)),
    rule("POST", "/{space}/helpdesk/gestione/gruppi", "/treviso/helpdesk/gestione/gruppi", Access::SpaceAdmin, Body::Form(EMPTY)),
    rule("POST", "/{space}/helpdesk/gestione/gruppi/{id}", "/treviso/helpdesk/gestione/gruppi/{team}", Access::SpaceAdmin, Body::Form(EMPTY)),
    rule("POST", "/{space}/helpdesk/gestione/categorie", "/treviso/helpdesk/gestione/categorie", Access::SpaceAdmin, Body::Form(EMPTY)),
    rule("POST", "/{space}/helpdesk/gestione/campi", "/treviso/helpdesk/gestione/campi", Access::SpaceAdmin, Body::Form(EMPTY)),
    rule("POST", "/{space}/helpdesk/gestione/campi/{id}/elimina", "/treviso/helpdesk/gestione/campi/{field}/elimina", Access::SpaceAdmin, Body::Form(EMPTY)),
    rule("POST", "/{space}/helpdesk/gestione/regole", "/treviso/helpdesk/gestione/regole", Access::SpaceAdmin, Body::Form(EMPTY)),
    rule("POST", "/{space}/helpdesk/gestione/regole/{id}/elimina", "/treviso/helpdesk/gestione/regole/{rule}/elimina", Access::SpaceAdmin, Body::Form(EMPTY)),
    // Treviso's media library; `{file}` is a document made for each request.
    rule("GET", "/{space}/gestione/media", "/treviso/gestione/media", Access::Editors, Body::None),
    rule("GET", "/{space}/gestione/media/scelta", "/treviso/gestione/media/scelta", Access::Editors, Body::None),
    rule("GET", "/{space}/gestione/media/carica", "/treviso/gestione/media/carica", Access::Editors, Body::None),
    rule("POST", "/{space}/gestione/media/carica", "/treviso/gestione/media/carica", Access::Editors, Body::File("file")),
    rule("GET", "/{space}/gestione/media/{id}", "/treviso/gestione/media/{file}", Access::Editors, Body::None),
    rule("POST", "/{space}/gestione/media/{id}", "/treviso/gestione/media/{file}", Access::Editors, Body::Form(&[("title", "Prova")])),
    rule("POST", "/{space}/gestione/media/{id}/elimina", "/treviso/gestione/media/{file}/elimina", Access::Editors, Body::Form(EMPTY)),
    rule("GET", "/gestione/registro", "/gestione/registro", Access::PlatformAdmin, Body::None),
    rule("GET", "/gestione/lavori", "/gestione/lavori", Access::PlatformAdmin, Body::None),
    rule("POST", "/gestione/lavori/riprova", "/gestione/lavori/riprova", Access::PlatformAdmin, Body::FailedJob),
    // The JSON API.
    rule("GET", "/api/v1/spaces", "/api/v1/spaces", Access::Everyone, Body::None),
    rule("GET", "/api/v1/territory/provinces/{istat_code}/comuni", "/api/v1/territory/provinces/026/comuni", Access::Everyone, Body::None),
    rule("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", Access::Everyone, Body::None),
    rule("GET", "/api/v1/me", "/api/v1/me", Access::SignedIn, Body::None),
];

/// Every `.route(…)` in the sources of the crates this binary composes, as (method, path).
fn routes_in_source() -> BTreeSet<(String, String)> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = BTreeSet::new();
    for (krate, prefix) in [
        ("pico-kernel", ""),
        ("pico-portal", ""),
        ("pico-newsletter", "/{space}/newsletter"),
        ("pico-sua", "/{space}/sua"),
        ("pico-helpdesk", "/{space}/helpdesk"),
    ] {
        let mut files = vec![crates.join(krate).join("src")];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            // The kernel's JSON API is nested under /api/v1, a module's (its `api.rs`) under
            // /api/v1/spaces/{space}/<key>.
            let module_api = prefix.replace("/{space}/", "/api/v1/spaces/{space}/");
            let prefix = if path.ends_with("web/api.rs") {
                "/api/v1"
            } else if path.ends_with("api.rs") {
                module_api.as_str()
            } else {
                prefix
            };
            for (i, _) in source.match_indices(".route(") {
                let rest = &source[i + ".route(".len()..];
                let end = rest
                    .find(".route(")
                    .or_else(|| rest.find("\n}"))
                    .unwrap_or(rest.len());
                let call = &rest[..end];
                let argument = call.trim_start();
                let route = match argument.strip_prefix('"') {
                    Some(literal) => literal[..literal.find('"').unwrap()].to_owned(),
                    None => match &argument[..argument.find(',').unwrap()] {
                        "CALLBACK_PATH" => pico_kernel::oidc::CALLBACK_PATH.to_owned(),
                        other => panic!(
                            "{}: unknown route constant {other}: teach this test its value",
                            path.display()
                        ),
                    },
                };
                // A nested router's "/" is its prefix itself.
                let full = match route.as_str() {
                    "/" if !prefix.is_empty() => prefix.to_owned(),
                    _ => format!("{prefix}{route}"),
                };
                for method in ["get", "post", "put", "patch", "delete"] {
                    if call.contains(&format!("{method}(")) {
                        found.insert((method.to_uppercase(), full.clone()));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_route_has_a_declared_permission() {
    let declared: BTreeSet<(String, String)> = RULES
        .iter()
        .map(|r| (r.method.to_owned(), r.route.to_owned()))
        .collect();
    let found = routes_in_source();
    let undeclared: Vec<_> = found.difference(&declared).collect();
    let stale: Vec<_> = declared.difference(&found).collect();
    assert!(
        undeclared.is_empty(),
        "routes without a declared permission: {undeclared:?}"
    );
    assert!(
        stale.is_empty(),
        "declared routes that no longer exist: {stale:?}"
    );
    assert_eq!(declared.len(), RULES.len(), "a route is declared twice");
}

async fn comune(app: &TestApp, istat: &str) -> i32 {
    comune::Entity::find()
        .filter(comune::Column::IstatCode.eq(istat))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A platform with one person per persona, the demo content (Treviso's colour) and a file.
async fn platform() -> (TestApp, String) {
    let app = TestApp::spawn_with(pico::registry(), |config| {
        // A provider that does not answer: starting a SPID login then fails with 502 for all.
        config.oidc_providers = vec![pico_oidc::ProviderConfig {
            key: "spid-test".into(),
            kind: pico_oidc::ProviderKind::Spid,
            name: "SPID irraggiungibile".into(),
            issuer: "http://127.0.0.1:9".into(),
            acr_values: vec![],
            scope: vec![],
        }];
    })
    .await;
    pico_kernel::seed::demo(&app.state.db).await.unwrap();
    let db = &app.state.db;
    let oderzo = comune(&app, "026051").await;
    let brescia_town = comune(&app, "017029").await;
    let treviso = pico_kernel::spaces::by_slug(db, "treviso")
        .await
        .unwrap()
        .unwrap()
        .id;
    let brescia = pico_kernel::spaces::by_slug(db, "brescia")
        .await
        .unwrap()
        .unwrap()
        .id;
    for persona in PERSONAS {
        let Some(email) = persona.email() else {
            continue;
        };
        let person = identity::create_person(db, email, email, PASSWORD, false)
            .await
            .unwrap();
        let (role, space, ente, module) = match persona {
            EnteMember => (Role::EnteMember, None, Some(oderzo), None),
            OtherEnteAdmin => (Role::EnteAdmin, None, Some(brescia_town), None),
            OtherEditor => (Role::Editor, Some(brescia), None, None),
            OtherAdmin => (Role::SpaceAdmin, Some(brescia), None, None),
            OtherOperator => (Role::Operator, Some(brescia), None, Some("sua")),
            OtherAgent => (Role::HelpdeskAgent, Some(brescia), None, None),
            TrevisoAgent => (Role::HelpdeskAgent, Some(treviso), None, None),
            TrevisoAdmin => (Role::SpaceAdmin, Some(treviso), None, None),
            PlatformAdmin => (Role::PlatformAdmin, None, None, None),
            Anonymous | Registered => continue,
        };
        identity::grant(db, person.id, role, space, ente, module)
            .await
            .unwrap();
    }
    // Treviso runs the SUA, and Oderzo has an agreement with it.
    pico_kernel::spaces::set_module(db, treviso, "sua", true)
        .await
        .unwrap();
    agreement(&app, oderzo).await;
    let media = app
        .state
        .storage
        .put("library/prove", "png", b"not really a png".to_vec())
        .await
        .unwrap();
    item(&app, "treviso", Kind::News, "Notizia di prova", true, false).await;
    item(&app, "treviso", Kind::Event, "Evento di prova", true, false).await;
    item(&app, "treviso", Kind::Page, "Pagina di prova", true, false).await;
    let national = pico_kernel::spaces::national(db).await.unwrap();
    item(
        &app,
        &national.slug,
        Kind::News,
        "Notizia condivisa",
        true,
        true,
    )
    .await;
    (app, media)
}

/// Makes what the request acts on, and returns the fields that name it.
async fn fixture(app: &TestApp, body: Body, person: Option<i32>) -> Vec<(String, String)> {
    let db = &app.state.db;
    let field = |k: &str, v: String| vec![(k.to_owned(), v)];
    match body {
        Body::None | Body::File(_) => Vec::new(),
        Body::Form(fields) => fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        Body::OwnSession => match person {
            Some(id) => {
                let token = sessions::open(db, id, None, None).await.unwrap();
                field("id", sessions::id_of(&token))
            }
            None => field("id", "nessuna".into()),
        },
        Body::OwnToken => match person {
            Some(id) => {
                identity::api_tokens::create(db, id, "prova", false, chrono::Duration::days(1))
                    .await
                    .unwrap();
                let tokens = identity::api_tokens::of_person(db, id).await.unwrap();
                field("id", tokens[0].id.to_string())
            }
            None => field("id", "0".into()),
        },
        Body::TrevisoGrant => {
            let email = format!("ruolo-{}@example.it", uuid());
            let someone = identity::create_person(db, &email, "Qualcuno", PASSWORD, false)
                .await
                .unwrap();
            let treviso = pico_kernel::spaces::by_slug(db, "treviso")
                .await
                .unwrap()
                .unwrap()
                .id;
            identity::grant(db, someone.id, Role::Editor, Some(treviso), None, None)
                .await
                .unwrap();
            let grants = identity::model::role_grant::Entity::find()
                .filter(identity::model::role_grant::Column::PersonId.eq(someone.id))
                .all(db)
                .await
                .unwrap();
            field("id", grants[0].id.to_string())
        }
        Body::FailedJob => {
            use sea_orm::{ActiveModelTrait, ActiveValue::Set};
            let job = pico_kernel::jobs::model::ActiveModel {
                kind: Set("mail.send".into()),
                payload: Set("{}".into()),
                state: Set("failed".into()),
                attempts: Set(8),
                max_attempts: Set(8),
                run_at: Set(chrono::Utc::now()),
                last_error: Set(Some("prova".into())),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(db)
            .await
            .unwrap();
            field("id", job.id.to_string())
        }
        Body::SharedItem => {
            let national = pico_kernel::spaces::national(db).await.unwrap();
            let shared = content::Entity::find()
                .filter(content::Column::SpaceId.eq(national.id))
                .one(db)
                .await
                .unwrap()
                .expect("made by platform()");
            vec![
                ("content_id".into(), shared.id.to_string()),
                ("show".into(), "0".into()),
            ]
        }
        Body::TrevisoLink => {
            use sea_orm::{ActiveModelTrait, ActiveValue::Set};
            let link = pico_portal::model::useful_link::ActiveModel {
                space_id: Set(space_id(app, "treviso").await),
                label: Set("Prova".into()),
                url: Set("https://example.it".into()),
                position: Set(0),
                ..Default::default()
            }
            .insert(db)
            .await
            .unwrap();
            field("id", link.id.to_string())
        }
        Body::OderzoRequest => {
            use sea_orm::{ActiveModelTrait, ActiveValue::Set};
            let email = format!("richiesta-{}@example.it", uuid());
            let someone = identity::create_person(db, &email, "Richiedente", PASSWORD, false)
                .await
                .unwrap();
            let request = identity::model::ente_request::ActiveModel {
                person_id: Set(someone.id),
                comune_id: Set(comune(app, "026051").await),
                message: Set(String::new()),
                status: Set("pending".into()),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(db)
            .await
            .unwrap();
            vec![
                ("id".into(), request.id.to_string()),
                ("decision".into(), "refuse".into()),
            ]
        }
    }
}

/// An agreement of Treviso with the Comune `comune_id`, with its signed document; returns its id.
async fn agreement(app: &TestApp, comune_id: i32) -> i32 {
    let key = app
        .state
        .storage
        .put("agreements/prova", "pdf", b"%PDF-1.4 prova".to_vec())
        .await
        .unwrap();
    pico_kernel::agreements::create(
        &app.state.db,
        pico_kernel::agreements::NewAgreement {
            space_id: space_id(app, "treviso").await,
            comune_id,
            starts_on: chrono::Utc::now().date_naive() - chrono::Duration::days(10),
            ends_on: None,
            document_key: key,
            document_name: "convenzione.pdf".into(),
            created_by: 1,
        },
    )
    .await
    .unwrap()
    .id
}

/// A pending request of Oderzo to Treviso's SUA, with a document; returns both ids.
async fn sua_request(app: &TestApp) -> (i32, i32) {
    let key = app
        .state
        .storage
        .put("sua/prova", "pdf", b"%PDF-1.4 prova".to_vec())
        .await
        .unwrap();
    let request = pico_sua::model::create_request(
        &app.state.db,
        pico_sua::model::NewRequest {
            space_id: space_id(app, "treviso").await,
            comune_id: comune(app, "026051").await,
            object: format!("Gara {}", uuid()),
            contract_type: "servizi".into(),
            amount_cents: 100_000,
            cpv_codes: vec!["90620000".into()],
            procedure: "negoziata".into(),
            timeline: String::new(),
            created_by: 1,
        },
        vec![pico_sua::model::NewDocument {
            key,
            filename: "relazione.pdf".into(),
        }],
    )
    .await
    .unwrap();
    let document = pico_sua::model::documents_of_request(&app.state.db, request.id)
        .await
        .unwrap()[0]
        .id;
    (request.id, document)
}

/// An open needs-collection campaign of Treviso sent to Oderzo, with one item; its id.
async fn sua_campaign(app: &TestApp) -> i32 {
    use pico_sua::campaigns::model;
    let db = &app.state.db;
    let made = model::create(
        db,
        model::NewCampaign {
            space_id: space_id(app, "treviso").await,
            title: format!("Raccolta {}", uuid()),
            description: String::new(),
            deadline: chrono::Utc::now() + chrono::Duration::days(7),
            enti: vec![comune(app, "026051").await],
            created_by: 1,
        },
    )
    .await
    .unwrap();
    model::add_item(
        db,
        made.id,
        model::NewItem {
            group_name: "Carta".into(),
            name: "Carta A4".into(),
            unit: "risme".into(),
            specifications: String::new(),
            reference_price_cents: Some(389),
        },
    )
    .await
    .unwrap();
    model::send(db, made.id).await.unwrap();
    made.id
}

async fn space_id(app: &TestApp, slug: &str) -> i32 {
    pico_kernel::spaces::by_slug(&app.state.db, slug)
        .await
        .unwrap()
        .expect("space exists")
        .id
}

/// Makes an item of `kind` in `space`, published or left a draft; returns its id.
async fn item(
    app: &TestApp,
    space: &str,
    kind: Kind,
    title: &str,
    published: bool,
    shared: bool,
) -> i32 {
    let draft = Draft {
        title: title.into(),
        slug: pico_kernel::spaces::slugify(title),
        summary: "Sommario.".into(),
        body: "<p>Testo.</p>".into(),
        starts_at: Some(chrono::Utc::now() + chrono::Duration::days(3)),
        ends_at: Some(chrono::Utc::now() + chrono::Duration::days(3)),
        place: Some("Treviso".into()),
        shared,
        ..Default::default()
    };
    let made = model::create(&app.state.db, space_id(app, space).await, kind, &draft, 1)
        .await
        .unwrap();
    if published {
        model::transition(
            &app.state.db,
            made.clone(),
            Status::Published,
            (None, None),
            1,
        )
        .await
        .unwrap();
    }
    made.id
}

/// Puts a document in the media library of `space`; returns its id.
async fn document(app: &TestApp, space: &str) -> i32 {
    let file = library::NewFile {
        space_id: space_id(app, space).await,
        key: format!("library/prova/{}.pdf", uuid()),
        filename: "prova.pdf".into(),
        kind: library::Kind::Pdf,
        mime: "application/pdf".into(),
        size: 10,
        alt: None,
        title: String::new(),
        uploaded_by: 1,
        renditions: Vec::new(),
    };
    library::create(&app.state.db, file).await.unwrap().id
}

fn uuid() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// The browser of a persona, in a new session, with the CSRF token its forms carry.
async fn as_persona(app: &TestApp, persona: Persona) -> (Browser, String, Option<i32>) {
    let Some(email) = persona.email() else {
        let browser = app.browser();
        let csrf = field_value(&browser.page("/accedi", StatusCode::OK).await, "csrf");
        return (browser, csrf, None);
    };
    let id = identity::find_by_email(&app.state.db, email)
        .await
        .unwrap()
        .expect("persona exists")
        .id;
    let browser = app.browser_of(id).await;
    let csrf = field_value(&browser.page("/profilo", StatusCode::OK).await, "csrf");
    (browser, csrf, Some(id))
}

fn denied(response: &reqwest::Response) -> bool {
    let status = response.status();
    let to_login = status.is_redirection()
        && response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.starts_with("/accedi"));
    to_login
        || matches!(
            status,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        )
}

#[tokio::test]
async fn every_route_allows_exactly_whom_it_should() {
    let mut failures = Vec::new();
    // Each request signs in afresh and acts on objects made for it, so that what one persona
    // does cannot change another's answer.
    let (app, media) = platform().await;
    for rule in RULES {
        for persona in PERSONAS {
            let (browser, csrf, person) = as_persona(&app, persona).await;
            let mut path = rule
                .path
                .replace("{version}", pico_assets::VERSION)
                .replace("{media}", &media);
            if path.contains("{item}") {
                let id = item(
                    &app,
                    "treviso",
                    Kind::News,
                    &format!("Bozza {}", uuid()),
                    false,
                    false,
                )
                .await;
                path = path.replace("{item}", &id.to_string());
            }
            if path.contains("{subscriber}") {
                let email = format!("iscritto-{}@example.it", uuid());
                let treviso = space_id(&app, "treviso").await;
                let token = pico_newsletter::model::subscribe(&app.state.db, treviso, &email)
                    .await
                    .unwrap()
                    .expect("a new address gets a token");
                path = path.replace("{subscriber}", &token);
            }
            if path.contains("{campaign}") {
                let treviso = space_id(&app, "treviso").await;
                let composition = pico_newsletter::model::Composition {
                    subject: "Prova".into(),
                    intro: "Testo.".into(),
                    content_ids: Vec::new(),
                };
                let draft =
                    pico_newsletter::model::create_campaign(&app.state.db, treviso, composition, 1)
                        .await
                        .unwrap();
                path = path.replace("{campaign}", &draft.id.to_string());
            }
            if path.contains("{agreement}") {
                let id = agreement(&app, comune(&app, "026051").await).await;
                path = path.replace("{agreement}", &id.to_string());
            }
            if path.contains("{sua_request}") || path.contains("{sua_document}") {
                let (request, document) = sua_request(&app).await;
                path = path
                    .replace("{sua_request}", &request.to_string())
                    .replace("{sua_document}", &document.to_string());
            }
            if path.contains("{sua_tender}") {
                let (id, _) = sua_request(&app).await;
                let request = pico_sua::model::find_request(
                    &app.state.db,
                    space_id(&app, "treviso").await,
                    id,
                )
                .await
                .unwrap()
                .unwrap();
                let tender = pico_sua::model::accept(&app.state.db, &request, 1)
                    .await
                    .unwrap()
                    .expect("a fresh request is pending");
                path = path
                    .replace("{sua_tender}", &tender.id.to_string())
                    .replace("{oderzo}", &request.comune_id.to_string());
            }
            if path.contains("{sua_campaign}") {
                let id = sua_campaign(&app).await;
                path = path.replace("{sua_campaign}", &id.to_string());
            }
            if path.contains("{ticket}") {
                let treviso = space_id(&app, "treviso").await;
                let email = format!("richiedente-{}@example.it", uuid());
                let requester =
                    identity::create_person(&app.state.db, &email, "R", PASSWORD, false)
                        .await
                        .unwrap();
                let new = pico_helpdesk::model::NewTicket {
                    space_id: treviso,
                    requester_id: requester.id,
                    category_id: None,
                    module_key: None,
                    requester_space_id: None,
                    subject: "Prova".into(),
                    description: "Testo.".into(),
                    priority: pico_helpdesk::model::Priority::Normal,
                };
                let ticket = pico_helpdesk::model::open(&app.state.db, new, chrono::Utc::now())
                    .await
                    .unwrap();
                let key = app
                    .state
                    .storage
                    .put("helpdesk/prova", "pdf", b"%PDF-1.4 prova".to_vec())
                    .await
                    .unwrap();
                let file = pico_helpdesk::model::attach(
                    &app.state.db,
                    ticket.id,
                    &key,
                    "prova.pdf",
                    "application/pdf",
                    14,
                )
                .await
                .unwrap();
                path = path
                    .replace("{ticket}", &ticket.id.to_string())
                    .replace("{attachment}", &file.id.to_string());
            }
            if path.contains("{faq}") {
                let treviso = space_id(&app, "treviso").await;
                let entry = pico_helpdesk::faq::create(
                    &app.state.db,
                    treviso,
                    pico_helpdesk::faq::Draft {
                        category_id: None,
                        module_key: None,
                        question: "Prova?".into(),
                        answer: "Sì.".into(),
                        published: true,
                        created_from_ticket: None,
                    },
                )
                .await
                .unwrap();
                path = path.replace("{faq}", &entry.id.to_string());
            }
            if path.contains("{saved}") {
                let treviso = space_id(&app, "treviso").await;
                let reply = pico_helpdesk::saved::add(
                    &app.state.db,
                    treviso,
                    format!("Prova {}", uuid()),
                    "Testo.".into(),
                )
                .await
                .unwrap();
                path = path.replace("{saved}", &reply.id.to_string());
            }
            if path.contains("{guest}") {
                let treviso = space_id(&app, "treviso").await;
                let new = pico_helpdesk::model::NewTicket {
                    space_id: treviso,
                    requester_id: 0,
                    category_id: None,
                    module_key: None,
                    requester_space_id: None,
                    subject: "Prova".into(),
                    description: "Testo.".into(),
                    priority: pico_helpdesk::model::Priority::Normal,
                };
                let guest = pico_helpdesk::model::Guest {
                    name: "Ospite".into(),
                    email: format!("ospite-{}@example.it", uuid()),
                    fiscal_code: None,
                };
                let (_, token) =
                    pico_helpdesk::model::open_guest(&app.state.db, new, guest, chrono::Utc::now())
                        .await
                        .unwrap();
                path = path.replace("{guest}", &token);
            }
            if path.contains("{team}") || path.contains("{rule}") {
                let treviso = space_id(&app, "treviso").await;
                let team = pico_helpdesk::model::create_team(
                    &app.state.db,
                    treviso,
                    "Prova",
                    pico_helpdesk::routing::Strategy::RoundRobin,
                    None,
                )
                .await
                .unwrap();
                let rule = pico_helpdesk::model::add_rule(
                    &app.state.db,
                    treviso,
                    pico_helpdesk::routing::Subject::default(),
                    team.id,
                )
                .await
                .unwrap();
                path = path
                    .replace("{team}", &team.id.to_string())
                    .replace("{rule}", &rule.id.to_string());
            }
            if path.contains("{field}") {
                let treviso = space_id(&app, "treviso").await;
                let category =
                    pico_helpdesk::model::create_category(&app.state.db, treviso, "Prova", None)
                        .await
                        .unwrap();
                let field = pico_helpdesk::fields::add(
                    &app.state.db,
                    treviso,
                    category.id,
                    "CIG",
                    pico_helpdesk::fields::Kind::Cig,
                    true,
                )
                .await
                .unwrap();
                path = path.replace("{field}", &field.id.to_string());
            }
            if path.contains("{rup}") {
                let entry = pico_sua::model::rup::ActiveModel {
                    space_id: sea_orm::ActiveValue::Set(space_id(&app, "treviso").await),
                    name: sea_orm::ActiveValue::Set("Prova".into()),
                    comune_id: sea_orm::ActiveValue::Set(None),
                    qualification: sea_orm::ActiveValue::Set("Ingegnere".into()),
                    works: sea_orm::ActiveValue::Set(true),
                    services: sea_orm::ActiveValue::Set(false),
                    supplies: sea_orm::ActiveValue::Set(false),
                    email: sea_orm::ActiveValue::Set(format!("rup-{}@example.it", uuid())),
                    phone: sea_orm::ActiveValue::Set(String::new()),
                    available: sea_orm::ActiveValue::Set(true),
                    created_at: sea_orm::ActiveValue::Set(chrono::Utc::now()),
                    ..Default::default()
                };
                let id = sea_orm::ActiveModelTrait::insert(entry, &app.state.db)
                    .await
                    .unwrap()
                    .id;
                path = path.replace("{rup}", &id.to_string());
            }
            if path.contains("{file}") {
                let id = document(&app, "treviso").await;
                path = path.replace("{file}", &id.to_string());
            }
            let mut fields = fixture(&app, rule.body, person).await;
            fields.push(("csrf".into(), csrf.clone()));
            let request = match rule.method {
                "GET" => browser.client.get(browser.url(&path)),
                "POST" => match rule.body {
                    Body::File(name) => browser.client.post(browser.url(&path)).multipart(
                        reqwest::multipart::Form::new().text("csrf", csrf).part(
                            name,
                            reqwest::multipart::Part::bytes(b"not an image".to_vec())
                                .file_name("prova.png"),
                        ),
                    ),
                    _ => browser.client.post(browser.url(&path)).form(&fields),
                },
                other => panic!("no requests with {other} yet"),
            };
            let response = request.send().await.unwrap();
            let expected = rule.access.allows(persona);
            if denied(&response) == expected {
                failures.push(format!(
                    "{} {} as {persona:?}: {} ({}), expected {}",
                    rule.method,
                    path,
                    response.status(),
                    response
                        .headers()
                        .get("location")
                        .and_then(|l| l.to_str().ok())
                        .unwrap_or(""),
                    if expected { "allowed" } else { "denied" },
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} wrong answers:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
