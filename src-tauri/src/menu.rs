//! The native menu. Items that act on the window's data go to the UI as `tideline://menu` events carrying the
//! item's id, so they run through the same commands as the buttons, palette and shortcuts; only Quit and the two
//! "open folder" items are handled here.

use tauri::menu::{Menu, MenuBuilder, MenuEvent, MenuItemBuilder, SubmenuBuilder};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_opener::OpenerExt;

use crate::state::AppState;

pub const EVENT_MENU: &str = "tideline://menu";

/// `(id, label, accelerator)` of the View menu: the five screens, then the theme.
const VIEW: [(&str, &str, Option<&str>); 6] = [
    ("view:health", "Health", Some("CmdOrCtrl+1")),
    ("view:imports", "Imports", Some("CmdOrCtrl+2")),
    ("view:playbooks", "Playbooks", Some("CmdOrCtrl+3")),
    ("view:activity", "Activity", Some("CmdOrCtrl+4")),
    ("view:settings", "Settings", Some("CmdOrCtrl+5")),
    ("theme", "Toggle theme", None),
];

pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let item = |id: &str, label: &str, accel: Option<&str>| {
        let b = MenuItemBuilder::with_id(id, label);
        match accel {
            Some(a) => b.accelerator(a).build(app),
            None => b.build(app),
        }
    };
    let file = SubmenuBuilder::new(app, "File")
        .item(&item("open", "Open…", Some("CmdOrCtrl+O"))?)
        .item(&item("sample", "Load sample data", None)?)
        .separator()
        .item(&item("quit", "Quit", Some("CmdOrCtrl+Q"))?)
        .build()?;
    let mut view = SubmenuBuilder::new(app, "View");
    for (i, (id, label, accel)) in VIEW.iter().enumerate() {
        if i == VIEW.len() - 1 {
            view = view.separator();
        }
        view = view.item(&item(id, label, *accel)?);
    }
    let help = SubmenuBuilder::new(app, "Help")
        .item(&item("shortcuts", "Keyboard shortcuts", None)?)
        .separator()
        .item(&item("log-folder", "Open log folder", None)?)
        .item(&item("data-folder", "Open data folder", None)?)
        .separator()
        .item(&item("about", "About Tideline", None)?)
        .build()?;
    MenuBuilder::new(app)
        .items(&[&file, &view.build()?, &help])
        .build()
}

pub fn on_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let id = event.id().as_ref();
    tracing::debug!("menu: {id}");
    match id {
        "quit" => app.exit(0),
        "data-folder" | "log-folder" => {
            let Some(state) = app.try_state::<AppState>() else {
                return;
            };
            let dir = state.core.data_dir();
            let dir = if id == "log-folder" {
                dir.join(tideline_core::logging::LOG_DIR)
            } else {
                dir.to_path_buf()
            };
            if let Err(e) = app.opener().open_path(dir.to_string_lossy(), None::<&str>) {
                tracing::warn!("could not open {} in the file manager: {e}", dir.display());
            }
        }
        other => {
            let _ = app.emit_to("main", EVENT_MENU, other);
        }
    }
}
