//! `dashboard/panel-type`: panels of the AngularJS plugins Grafana 12 no longer loads (Grafana's
//! "Plugins using AngularJS" list, docs/sources/developers/angular_deprecation/angular-plugins.md
//! in grafana/grafana). The core ones are migrated when a dashboard is opened, but only in the
//! browser: a provisioned file keeps the old type, and the migration guesses options; the
//! plugins' panels show "panel plugin not found".

/// A removed panel type, what replaces it, and whether Grafana migrates it on load.
struct Removed {
    id: &'static str,
    replacement: &'static str,
    migrated: bool,
}

const fn removed(id: &'static str, replacement: &'static str, migrated: bool) -> Removed {
    Removed { id, replacement, migrated }
}

/// Panel types of AngularJS plugins, with the core visualization Grafana's list points to.
const REMOVED: &[Removed] = &[
    removed("graph", "timeseries", true),
    removed("singlestat", "stat", true),
    removed("grafana-singlestat-panel", "stat", true),
    removed("table-old", "table", true),
    removed("grafana-worldmap-panel", "geomap", true),
    removed("grafana-piechart-panel", "piechart", false),
    removed("natel-discrete-panel", "state-timeline", false),
    removed("flant-statusmap-panel", "status-history", false),
    removed("vonage-status-panel", "stat", false),
    removed("blackmirror1-singlestat-math-panel", "stat", false),
    removed("farski-blendstat-panel", "stat", false),
    removed("michaeldmoore-annunciator-panel", "stat", false),
    removed("michaeldmoore-multistat-panel", "bargauge", false),
    removed("yesoreyeram-boomtable-panel", "table", false),
    removed("savantly-heatmap-panel", "heatmap", false),
    removed("neocat-cal-heatmap-panel", "heatmap", false),
    removed("mtanda-heatmap-epoch-panel", "heatmap", false),
    removed("mtanda-histogram-panel", "histogram", false),
    removed("agenty-flowcharting-panel", "canvas", false),
    removed("marcuscalidus-svg-panel", "canvas", false),
    removed("aidanmountford-html-panel", "text", false),
    removed("mxswat-separator-panel", "text", false),
    removed("ryantxu-annolist-panel", "annolist", false),
];

/// The message and help for a panel of `panel_type`, if Grafana 12 removed that type.
pub(super) fn removed_type(panel_type: &str) -> Option<(String, String)> {
    let r = REMOVED.iter().find(|r| r.id == panel_type)?;
    let message = format!("panel type `{}` is an AngularJS plugin, which Grafana 12 removed", r.id);
    let help = if r.migrated {
        format!(
            "change `\"type\": \"{}\"` to `\"type\": \"{}\"` and review its options: Grafana 12 converts the panel each time it opens the dashboard, guessing the options, and the provisioned file keeps the old type",
            r.id, r.replacement
        )
    } else {
        format!(
            "use the core `{}` visualization instead (`\"type\": \"{}\"`), and set its options anew",
            r.replacement, r.replacement
        )
    };
    Some((message, help))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_types_name_their_replacement() {
        let (message, help) = removed_type("graph").unwrap();
        assert_eq!(message, "panel type `graph` is an AngularJS plugin, which Grafana 12 removed");
        assert!(help.contains("`\"type\": \"timeseries\"`"), "{help}");
        assert!(removed_type("grafana-piechart-panel").unwrap().1.contains("`piechart`"));
        assert!(removed_type("singlestat").unwrap().1.contains("\"stat\""));
        for current in ["timeseries", "stat", "table", "piechart", "geomap", "row", "text", "gauge"] {
            assert_eq!(removed_type(current), None, "{current}");
        }
    }

    #[test]
    fn every_replacement_is_current() {
        for r in REMOVED {
            assert_eq!(removed_type(r.replacement), None, "{} is replaced by a removed type", r.id);
        }
    }
}
