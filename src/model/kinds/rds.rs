//! RDS DB instances and Aurora clusters: status, engine, role, Multi-AZ, pending maintenance;
//! reboot (with failover), fail a cluster over, snapshot.

use super::{Act, Builtin, Mutation, Named, Rules, SysEvent, stamp};
use crate::model::{MetricKey, Resource, Risk};
use serde::{Deserialize, Serialize};

/// An RDS DB instance, or an Aurora cluster (`cluster_members` set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RdsDetail {
    /// `available`, `modifying`, `rebooting`, `failing-over`, `storage-full`…
    pub status: String,
    pub engine: String,
    /// `writer`, `reader`, `replica of X`, `standalone`, or `cluster` for a cluster row.
    pub role: String,
    /// The Aurora cluster an instance belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    pub multi_az: bool,
    /// A cluster row: its members, the writer first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster_members: Vec<String>,
    /// Pending maintenance actions (`system-update`…), when the API told.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_maintenance: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_class: Option<String>,
    /// Allocated storage (GiB) of an instance outside Aurora, for the free-storage levels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocated_gib: Option<i64>,
}

/// An RDS DB instance or Aurora cluster.
pub struct Rds;

/// What the RDS built-in actions change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RdsMutation {
    /// Reboots a DB instance; with `failover`, onto its Multi-AZ standby.
    RebootDb { instance: String, failover: bool },
    /// Promotes an Aurora reader to writer.
    FailoverDbCluster { cluster: String },
    /// A manual snapshot of a DB instance or cluster.
    SnapshotDb {
        id: String,
        cluster: bool,
        snapshot: String,
    },
}

impl Act for RdsMutation {
    fn describe(&self) -> String {
        match self {
            RdsMutation::RebootDb { instance, failover } => format!(
                "RDS RebootDBInstance dbInstanceIdentifier={instance} forceFailover={failover}"
            ),
            RdsMutation::FailoverDbCluster { cluster } => {
                format!("RDS FailoverDBCluster dbClusterIdentifier={cluster}")
            }
            RdsMutation::SnapshotDb {
                id,
                cluster: false,
                snapshot,
            } => format!(
                "RDS CreateDBSnapshot dbInstanceIdentifier={id} dbSnapshotIdentifier={snapshot}"
            ),
            RdsMutation::SnapshotDb {
                id,
                cluster: true,
                snapshot,
            } => format!(
                "RDS CreateDBClusterSnapshot dbClusterIdentifier={id} dbClusterSnapshotIdentifier={snapshot}"
            ),
        }
    }

    fn target(&self) -> &str {
        match self {
            RdsMutation::RebootDb { instance: x, .. }
            | RdsMutation::FailoverDbCluster { cluster: x }
            | RdsMutation::SnapshotDb { id: x, .. } => x,
        }
    }

    fn risk(&self) -> Risk {
        match self {
            // Failovers drop every open connection and the writes in flight.
            RdsMutation::RebootDb { failover: true, .. }
            | RdsMutation::FailoverDbCluster { .. } => Risk::Destructive,
            _ => Risk::Write,
        }
    }
}

impl Rules for Rds {
    type Detail = RdsDetail;
    type Mutation = RdsMutation;
    const NAMED: Option<Named> = Some(Named {
        flags: &[
            ("rds", "--db-instance-identifier"),
            ("rds", "--db-cluster-identifier"),
        ],
        key: "rds_instances",
        title: "RDS instances",
    });

    fn detail_line(_r: &Resource, d: &RdsDetail) -> String {
        let mut parts = vec![d.engine.clone()];
        parts.extend(d.instance_class.clone());
        if let Some(c) = &d.cluster {
            parts.push(format!("cluster {c}"));
        }
        if !d.cluster_members.is_empty() {
            parts.push(format!("members {}", d.cluster_members.join(", ")));
        }
        if let Some(g) = d.allocated_gib {
            parts.push(format!("{g} GiB"));
        }
        parts.join(" · ")
    }

    fn owns_metric(r: &Resource, d: &RdsDetail, key: &MetricKey) -> bool {
        let dim = if d.role == "cluster" {
            "DBClusterIdentifier"
        } else {
            "DBInstanceIdentifier"
        };
        key.namespace == "AWS/RDS" && key.dimensions.get(dim) == Some(&r.name)
    }

    fn builtins(r: &Resource, d: &RdsDetail, now_ms: i64) -> Vec<Builtin> {
        let id = &r.name;
        let stamp = stamp(now_ms);
        let m = |m: RdsMutation| Mutation::Rds(m);
        if d.role == "cluster" {
            let mut out = Vec::new();
            if d.cluster_members.len() > 1 {
                out.push(Builtin::confirm(
                    format!("RDS › Fail over cluster {id} (promote a reader)"),
                    format!(
                        "Fail over {id}: writer {} steps down, connections drop",
                        d.cluster_members[0]
                    ),
                    m(RdsMutation::FailoverDbCluster {
                        cluster: id.clone(),
                    }),
                ));
            }
            out.push(Builtin::confirm(
                format!("RDS › Snapshot cluster {id}"),
                format!("Take a manual snapshot of cluster {id}"),
                m(RdsMutation::SnapshotDb {
                    id: id.clone(),
                    cluster: true,
                    snapshot: format!("opsdeck-{id}-{stamp}"),
                }),
            ));
            return out;
        }
        let mut out = vec![Builtin::confirm(
            format!("RDS › Reboot {id}"),
            format!("Reboot {id}: it does not serve until it is back"),
            m(RdsMutation::RebootDb {
                instance: id.clone(),
                failover: false,
            }),
        )];
        if d.multi_az {
            out.push(Builtin::confirm(
                format!("RDS › Reboot {id} with failover to its standby"),
                format!("Reboot {id} failing over to the Multi-AZ standby: connections drop"),
                m(RdsMutation::RebootDb {
                    instance: id.clone(),
                    failover: true,
                }),
            ));
        }
        if d.cluster.is_none() {
            out.push(Builtin::confirm(
                format!("RDS › Snapshot {id}"),
                format!("Take a manual snapshot of {id}"),
                m(RdsMutation::SnapshotDb {
                    id: id.clone(),
                    cluster: false,
                    snapshot: format!("opsdeck-{id}-{stamp}"),
                }),
            ));
        }
        out
    }

    fn events(_o: &Resource, a: &RdsDetail, n: &Resource, b: &RdsDetail) -> Vec<SysEvent> {
        let name = n.display_name();
        if a.role == "cluster"
            && let (Some(x), Some(y)) = (a.cluster_members.first(), b.cluster_members.first())
            && x != y
        {
            return vec![SysEvent::new(
                &name,
                format!("writer {x}"),
                format!("writer {y}"),
                format!("RDS {name}: writer {x} → {y} (failover)"),
            )];
        }
        Vec::new()
    }
}
