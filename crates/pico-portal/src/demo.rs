//! Demo content: a few published items so that a demo platform shows its news, events, pages
//! and what UPI shares. Added once; never on a real installation.

use crate::model::{self, Draft, Kind, Status, content};
use crate::{html, index};
use chrono::{Duration, Utc};
use pico_kernel::{search, spaces};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait, TransactionTrait};

pub async fn seed(db: &DatabaseConnection) -> anyhow::Result<()> {
    if content::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let national = spaces::national(db).await?;
    let Some(treviso) = spaces::by_slug(db, "treviso").await? else {
        return Ok(());
    };
    let now = Utc::now();
    let items = [
        (treviso.id, Kind::News, Draft {
            title: "Lavori di manutenzione sulla strada provinciale 102".into(),
            summary: "Da lunedì senso unico alternato tra Oderzo e Motta di Livenza per il rifacimento del manto stradale.".into(),
            body: "<p>La Provincia rifà il manto stradale della SP 102. I lavori durano <strong>tre settimane</strong>.</p><ul><li>Senso unico alternato dalle 8 alle 18</li><li>Transito libero nei fine settimana</li></ul>".into(),
            tags: vec!["strade".into(), "viabilità".into()],
            highlighted: true,
            ..Default::default()
        }),
        (treviso.id, Kind::News, Draft {
            title: "Gara per l'efficientamento energetico delle scuole".into(),
            summary: "La stazione unica appaltante ha pubblicato la gara per sei istituti superiori.".into(),
            body: "<h2>Cosa prevede</h2><p>Cappotti termici e nuovi serramenti per sei istituti.</p>".into(),
            tags: vec!["scuole".into(), "appalti".into()],
            ..Default::default()
        }),
        (treviso.id, Kind::Event, Draft {
            title: "Incontro con i Comuni sui fondi europei".into(),
            summary: "Le opportunità dei programmi regionali FESR e FSE+ per i Comuni del territorio.".into(),
            body: "<p>Presentazione dei bandi aperti e dello sportello europeo della Provincia.</p>".into(),
            starts_at: Some(now + Duration::days(10)),
            ends_at: Some(now + Duration::days(10) + Duration::hours(2)),
            place: Some("Sala consiliare, via Cal di Breda 116, Treviso".into()),
            organiser: Some("Provincia di Treviso".into()),
            ..Default::default()
        }),
        (treviso.id, Kind::Page, Draft {
            title: "Uffici e orari".into(),
            summary: "Dove sono gli uffici della Provincia e quando sono aperti.".into(),
            body: "<table><caption>Orari di apertura</caption><tr><th scope=\"col\">Giorno</th><th scope=\"col\">Orario</th></tr><tr><td>Lunedì–venerdì</td><td>9–12</td></tr></table>".into(),
            ..Default::default()
        }),
        (national.id, Kind::News, Draft {
            title: "Le Province in rete su Pi.Co.".into(),
            summary: "UPI presenta la piattaforma collaborativa che unisce le Province italiane.".into(),
            body: "<p>Gare, servizi digitali, fondi europei e formazione in un solo luogo.</p>".into(),
            tags: vec!["piattaforma".into()],
            shared: true,
            ..Default::default()
        }),
    ];
    let txn = db.begin().await?;
    for (space_id, kind, mut draft) in items {
        draft.slug = spaces::slugify(&draft.title);
        draft.body = html::sanitise(&draft.body);
        let item = model::create(&txn, space_id, kind, &draft, 1).await?;
        search::record(&txn, &index::key(item.id)).await?;
        model::transition(&txn, item, Status::Published, (None, None), 1).await?;
    }
    txn.commit().await?;
    Ok(())
}
