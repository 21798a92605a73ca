//! Starting the real app under tauri-driver (which proxies to WebKitWebDriver) and talking to it with
//! fantoccini. Each test gets its own data folder, its own driver ports, and the app's own CLI for setup and
//! for checking what the window did.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

pub const APP: &str = env!("CARGO_BIN_EXE_tideline");

/// The CLI binary built beside the app (cargo builds the workspace's binaries into one folder).
pub fn cli_path() -> PathBuf {
    let app = Path::new(APP);
    let cli = app.with_file_name(format!("tideline-cli{}", std::env::consts::EXE_SUFFIX));
    assert!(
        cli.exists(),
        "build the CLI first: cargo build -p tideline-cli ({} missing)",
        cli.display()
    );
    cli
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn tauri_driver() -> PathBuf {
    if let Ok(p) = which("tauri-driver") {
        return p;
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".cargo/bin/tauri-driver")
}

fn which(name: &str) -> Result<PathBuf, ()> {
    let path = std::env::var_os("PATH").ok_or(())?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .ok_or(())
}

async fn rendered_text(el: &Element) -> Option<String> {
    el.prop("innerText").await.ok().flatten()
}

pub struct App {
    pub client: Client,
    pub data_dir: tempfile::TempDir,
    driver: Child,
}

impl App {
    /// A data folder prepared with the CLI before the window opens.
    pub fn data_dir() -> tempfile::TempDir {
        tempfile::tempdir().expect("a temporary data folder")
    }

    /// Runs the CLI on this data folder with `--json` and returns its document.
    pub fn cli(data_dir: &Path, args: &[&str]) -> Value {
        let out = Command::new(cli_path())
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--json")
            .args(args)
            .output()
            .expect("the CLI runs");
        assert!(
            out.status.success(),
            "tideline-cli {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("the CLI prints JSON")
    }

    /// Launches the app on `data_dir` and waits until it says its first data has rendered.
    pub async fn launch(data_dir: tempfile::TempDir) -> App {
        App::launch_with(APP, data_dir, &[]).await
    }

    /// Launches `binary` (the built app, or an installed one) on `data_dir` with `extra` arguments after
    /// `--data-dir` (workbooks to open, as a file manager passes them).
    pub async fn launch_with(binary: &str, data_dir: tempfile::TempDir, extra: &[&str]) -> App {
        App::launch_env(binary, data_dir, extra, &[]).await
    }

    /// [`App::launch_with`], with environment variables for the app (through tauri-driver, which it inherits).
    pub async fn launch_env(
        binary: &str,
        data_dir: tempfile::TempDir,
        extra: &[&str],
        env: &[(&str, &Path)],
    ) -> App {
        let mut args = vec![data_dir
            .path()
            .to_str()
            .expect("utf-8 temp path")
            .to_string()];
        args.insert(0, "--data-dir".to_string());
        args.extend(extra.iter().map(|a| a.to_string()));
        let port = free_port();
        let native_port = free_port();
        let mut driver = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver starts (cargo install tauri-driver --version ^2 --locked)");
        let caps = json!({
            "browserName": "wry",
            "tauri:options": {
                "application": binary,
                "args": args,
            }
        });
        let caps = caps.as_object().cloned().expect("an object");
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if started.elapsed() < Duration::from_secs(60) => {
                    if let Ok(Some(status)) = driver.try_wait() {
                        panic!("tauri-driver exited early ({status}): {e}");
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => {
                    let _ = driver.kill();
                    panic!("could not start a WebDriver session: {e}");
                }
            }
        };
        let app = App {
            client,
            data_dir,
            driver,
        };
        app.wait_for("body[data-ready='true']").await;
        app
    }

    pub async fn wait_for(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("waited 30 s for {css}: {e}"))
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
    }

    pub async fn click(&self, css: &str) {
        self.wait_for(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css}: {e}"))
    }

    /// Polls until `css`'s text satisfies `pred` (the UI updates asynchronously).
    pub async fn wait_text(&self, css: &str, pred: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Some(t) = rendered_text(&el).await {
                    if pred(&t) {
                        return t;
                    }
                    if started.elapsed() > Duration::from_secs(30) {
                        panic!("{css} still reads {t:?} after 30 s");
                    }
                }
            } else if started.elapsed() > Duration::from_secs(30) {
                panic!("{css} never appeared");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Polls until at least `n` elements match `css`.
    pub async fn wait_count(&self, css: &str, n: usize) -> Vec<Element> {
        let started = Instant::now();
        loop {
            let found = self.find_all(css).await;
            if found.len() >= n {
                return found;
            }
            if started.elapsed() > Duration::from_secs(30) {
                panic!("expected at least {n} of {css}, found {}", found.len());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Closes the window and hands back its data folder, to launch again on it.
    pub async fn close_keeping_data(mut self) -> tempfile::TempDir {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // App stops its driver when dropped, so the folder is swapped out rather than moved.
        std::mem::replace(
            &mut self.data_dir,
            tempfile::tempdir().expect("a temporary folder"),
        )
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A test that fails half-way still stops its driver (and with it the window), so no process outlives it holding
/// the test's output open.
impl Drop for App {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
