//! DynamoDB tables: status, billing mode, item count, capacity, point-in-time recovery and
//! the latest backup; an on-demand backup.

use super::{Act, Builtin, Mutation, Named, Rules, stamp};
use crate::model::{MetricKey, Resource};
use serde::{Deserialize, Serialize};

/// A DynamoDB table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DynamodbDetail {
    pub status: String,
    /// `PAY_PER_REQUEST` or `PROVISIONED`.
    pub billing_mode: String,
    pub item_count: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_capacity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_capacity: Option<i64>,
    /// Point-in-time recovery on; `None` when it could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pitr: Option<bool>,
    /// When the latest on-demand backup was made (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_backup_ms: Option<i64>,
}

/// A DynamoDB table.
pub struct Dynamodb;

/// What the DynamoDB built-in action changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DynamodbMutation {
    /// An on-demand backup of a table.
    BackupTable { table: String, backup: String },
}

impl Act for DynamodbMutation {
    fn describe(&self) -> String {
        let DynamodbMutation::BackupTable { table, backup } = self;
        format!("DynamoDB CreateBackup tableName={table} backupName={backup}")
    }

    fn target(&self) -> &str {
        let DynamodbMutation::BackupTable { table, .. } = self;
        table
    }
}

impl Rules for Dynamodb {
    type Detail = DynamodbDetail;
    type Mutation = DynamodbMutation;
    const NAMED: Option<Named> = Some(Named {
        flags: &[
            ("dynamodb", "--table-name"),
            ("dynamodb", "--target-table-name"),
        ],
        key: "dynamodb_tables",
        title: "DynamoDB tables",
    });

    fn detail_line(r: &Resource, d: &DynamodbDetail) -> String {
        format!("{} · {} · {} items", r.name, d.billing_mode, d.item_count)
    }

    fn owns_metric(r: &Resource, _d: &DynamodbDetail, key: &MetricKey) -> bool {
        key.namespace == "AWS/DynamoDB" && key.dimensions.get("TableName") == Some(&r.name)
    }

    fn builtins(r: &Resource, _d: &DynamodbDetail, now_ms: i64) -> Vec<Builtin> {
        vec![Builtin::confirm(
            format!("DynamoDB › Back up {} (on-demand backup)", r.name),
            format!("Make an on-demand backup of table {}", r.name),
            Mutation::Dynamodb(DynamodbMutation::BackupTable {
                table: r.name.clone(),
                backup: format!("opsdeck-{}-{}", r.name, stamp(now_ms)),
            }),
        )]
    }
}
