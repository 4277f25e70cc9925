//! The Docker Engine API through bollard: the only place monstack talks to the daemon.
//! Every call carries what it was doing, so errors name the container, image or socket, and every
//! call is bounded in time: a daemon that accepts connections and never answers makes monstack
//! fail with a hint, not hang.

mod containers;
mod logs;
mod networks;
mod once;
mod volumes;

use std::time::Duration;

use bollard::query_parameters::CreateImageOptionsBuilder;
use bollard::Docker;
use futures_util::StreamExt;

pub use containers::{Existing, PortHolder, RunState};
pub use networks::{short, NetworkInfo, Networks};
pub use volumes::{VolumeLeft, VolumesRemoved};

/// How long connecting (version negotiation and a ping) may take: a healthy daemon answers in
/// milliseconds.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long any later call may wait for the daemon's answer to begin. Stopping a container
/// waits up to its 10 s grace period before the daemon answers, so this leaves room for that.
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);

/// A daemon error with what monstack was doing.
#[derive(Debug, thiserror::Error)]
#[error("{what}")]
pub struct DaemonError {
    /// What failed, e.g. "failed to create container `demo-prometheus`".
    pub what: String,
    /// The daemon's answer.
    #[source]
    pub source: bollard::errors::Error,
}

/// Result of an engine call.
pub type Result<T> = std::result::Result<T, DaemonError>;

fn ctx<T>(r: std::result::Result<T, bollard::errors::Error>, what: impl FnOnce() -> String) -> Result<T> {
    r.map_err(|source| {
        let mut what = what();
        if matches!(source, bollard::errors::Error::RequestTimeoutError) {
            what.push_str(&format!(
                " (the daemon did not answer within {}s)\n  = help: the Docker daemon may be overloaded or wedged: check `docker info`",
                RESPONSE_TIMEOUT.as_secs()
            ));
        }
        DaemonError { what, source }
    })
}

fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(e, bollard::errors::Error::DockerResponseServerError { status_code: 404, .. })
}

fn is_conflict(e: &bollard::errors::Error) -> bool {
    matches!(e, bollard::errors::Error::DockerResponseServerError { status_code: 409, .. })
}

/// Why no connection to the daemon was made.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Nothing answers there.
    #[error("the Docker daemon is not reachable at `{host}`\n  = help: start it (`systemctl start docker`), or point DOCKER_HOST at it")]
    Unreachable {
        /// Where it was looked for.
        host: String,
        /// The client's error.
        #[source]
        source: bollard::errors::Error,
    },
    /// Something accepted the connection and did not answer in time.
    #[error("the Docker daemon at `{host}` did not answer within {}s\n  = help: it may be wedged or overloaded: check it (`systemctl status docker`, `docker info`), or point DOCKER_HOST at another daemon", limit.as_secs_f64())]
    Timeout {
        /// Where it was looked for.
        host: String,
        /// How long monstack waited.
        limit: Duration,
    },
}

/// Where the daemon is looked for: `$DOCKER_HOST`, else the local socket.
pub fn docker_host() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".to_owned())
}

/// A connection to the daemon, API version negotiated.
pub struct Daemon {
    docker: Docker,
    /// Where the daemon was looked for, for messages.
    pub host: String,
}

impl Daemon {
    /// Connects to `$DOCKER_HOST` (default the local socket) within [`CONNECT_TIMEOUT`].
    pub async fn connect() -> std::result::Result<Daemon, ConnectError> {
        Daemon::connect_within(CONNECT_TIMEOUT).await
    }

    /// Connects and negotiates the API version (1.41 and later work), giving up after `limit`.
    pub async fn connect_within(limit: Duration) -> std::result::Result<Daemon, ConnectError> {
        let host = docker_host();
        let unreachable = |source| ConnectError::Unreachable { host: host.clone(), source };
        let docker = Docker::connect_with_defaults().map_err(unreachable)?.with_timeout(RESPONSE_TIMEOUT);
        let handshake = async {
            let docker = docker.negotiate_version().await?;
            docker.ping().await?;
            Ok(docker)
        };
        match tokio::time::timeout(limit, handshake).await {
            Ok(Ok(docker)) => Ok(Daemon { docker, host }),
            Ok(Err(bollard::errors::Error::RequestTimeoutError)) | Err(_) => {
                Err(ConnectError::Timeout { host: host.clone(), limit })
            }
            Ok(Err(source)) => Err(unreachable(source)),
        }
    }

    /// Whether `image` is present locally.
    pub async fn has_image(&self, image: &str) -> Result<bool> {
        match self.docker.inspect_image(image).await {
            Ok(_) => Ok(true),
            Err(e) if is_not_found(&e) => Ok(false),
            other => ctx(other.map(|_| true), || format!("failed to inspect image `{image}`")),
        }
    }

    /// Pulls `image`, reporting progress lines (`id: status progress`) to `progress`.
    pub async fn pull(&self, image: &str, mut progress: impl FnMut(&str, &str, Option<(i64, i64)>)) -> Result<()> {
        let options = CreateImageOptionsBuilder::default().from_image(image).build();
        let mut stream = self.docker.create_image(Some(options), None, None);
        while let Some(item) = stream.next().await {
            let info = ctx(item, || format!("failed to pull image `{image}`"))?;
            let detail = info.progress_detail.as_ref().and_then(|d| Some((d.current?, d.total?)));
            progress(info.id.as_deref().unwrap_or(""), info.status.as_deref().unwrap_or(""), detail);
        }
        Ok(())
    }
}

fn parse_user(user: &str) -> (u32, u32) {
    let mut parts = user.split(':').map(|p| p.parse().unwrap_or(0));
    let uid = parts.next().unwrap_or(0);
    (uid, parts.next().unwrap_or(uid))
}
