//! Container logs.

use bollard::query_parameters::LogsOptionsBuilder;
use futures_util::StreamExt;

use super::{ctx, Daemon, Result};
use crate::stack::state::rfc3339_nanos;

impl Daemon {
    /// The last `n` log lines of a container, stdout and stderr interleaved.
    pub async fn tail(&self, id: &str, n: usize) -> Result<String> {
        let mut out = String::new();
        self.logs(id, false, Some(n), false, |chunk| out.push_str(chunk)).await?;
        Ok(out)
    }

    /// The last `n` log lines the container wrote since `started_at` (RFC 3339, when the run in
    /// question started): what that run said, not an earlier run's lines unless that run said
    /// nothing Docker could time after its start.
    pub async fn run_tail(&self, id: &str, started_at: &str, n: usize) -> Result<String> {
        let Some(since) = rfc3339_nanos(started_at) else { return self.tail(id, n).await };
        let mut text = String::new();
        // Docker cannot filter by a time finer than a second: take more, keep what is new.
        self.logs(id, false, Some(n * 10), true, |chunk| text.push_str(chunk)).await?;
        let since_start = |from: i128| -> Vec<&str> {
            text.lines()
                .filter_map(|line| {
                    let (stamp, rest) = line.split_once(' ').unwrap_or((line, ""));
                    rfc3339_nanos(stamp).is_some_and(|t| t >= from).then_some(rest)
                })
                .collect()
        };
        let mut fresh = since_start(since);
        if fresh.is_empty() {
            // Docker records `StartedAt` once the process runs: a process that fails at once may
            // log before it. A second's grace, then any last lines rather than none.
            fresh = since_start(since - 1_000_000_000);
            if fresh.is_empty() {
                return self.tail(id, n).await;
            }
        }
        let skip = fresh.len().saturating_sub(n);
        Ok(fresh[skip..].iter().map(|l| format!("{l}\n")).collect())
    }

    /// Streams logs of a container to `sink`, line by line.
    pub async fn stream_logs(&self, id: &str, follow: bool, tail: Option<usize>, sink: impl FnMut(&str)) -> Result<()> {
        self.logs(id, follow, tail, false, sink).await
    }

    async fn logs(
        &self,
        id: &str,
        follow: bool,
        tail: Option<usize>,
        timestamps: bool,
        mut sink: impl FnMut(&str),
    ) -> Result<()> {
        let tail = tail.map_or_else(|| "all".to_owned(), |n| n.to_string());
        let options = LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .follow(follow)
            .timestamps(timestamps)
            .tail(&tail)
            .build();
        let mut stream = self.docker.logs(id, Some(options));
        while let Some(item) = stream.next().await {
            sink(&ctx(item, || format!("failed to read logs of `{id}`"))?.to_string());
        }
        Ok(())
    }
}
