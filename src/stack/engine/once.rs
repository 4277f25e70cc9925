//! Throwaway containers for `check --exact`.

use std::collections::HashMap;

use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{RemoveContainerOptionsBuilder, UploadToContainerOptionsBuilder};
use futures_util::StreamExt;

use super::{ctx, Daemon, DaemonError, Result};

impl Daemon {
    /// Runs `entrypoint args` once in a throwaway container of `image`, with no network and
    /// `files` copied read-only under `/`; returns its exit code and output. The container is
    /// removed whatever happens. It is labelled `io.monstack.tool=<purpose>` (`check`, `test`).
    pub async fn run_once(
        &self,
        purpose: &str,
        image: &str,
        entrypoint: &str,
        args: Vec<String>,
        files: &[(String, Vec<u8>)],
    ) -> Result<(i64, String)> {
        let body = ContainerCreateBody {
            image: Some(image.to_owned()),
            entrypoint: Some(vec![entrypoint.to_owned()]),
            cmd: Some(args),
            user: Some("65534:65534".into()),
            labels: Some(HashMap::from([("io.monstack.tool".to_owned(), purpose.to_owned())])),
            host_config: Some(HostConfig {
                network_mode: Some("none".into()),
                security_opt: Some(vec!["no-new-privileges".into()]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let what = || format!("failed to create a container of `{image}` to run `{entrypoint}`");
        let created = ctx(
            self.docker.create_container(None::<bollard::query_parameters::CreateContainerOptions>, body).await,
            what,
        )?;
        let id = created.id;
        let result = async {
            let tar =
                crate::stack::tar::archive(files.iter().map(|(p, d)| (p.as_str(), d.as_slice())), 65534, 65534, 0o444);
            let options = UploadToContainerOptionsBuilder::default().path("/").build();
            ctx(self.docker.upload_to_container(&id, Some(options), bollard::body_full(tar.into())).await, || {
                format!("failed to copy files into the `{entrypoint}` container")
            })?;
            ctx(self.docker.start_container(&id, None).await, || {
                format!("failed to start `{entrypoint}` in `{image}`")
            })?;
            let mut code = 0;
            let mut waits = self.docker.wait_container(&id, None);
            while let Some(item) = waits.next().await {
                match item {
                    Ok(r) => code = r.status_code,
                    Err(bollard::errors::Error::DockerContainerWaitError { code: c, .. }) => code = c,
                    Err(source) => {
                        return Err(DaemonError { what: format!("failed to wait for `{entrypoint}`"), source })
                    }
                }
            }
            let mut out = String::new();
            self.stream_logs(&id, false, None, |l| out.push_str(l)).await?;
            Ok((code, out))
        }
        .await;
        let options = RemoveContainerOptionsBuilder::default().force(true).build();
        let _ = self.docker.remove_container(&id, Some(options)).await;
        result
    }
}
