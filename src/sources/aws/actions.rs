//! Built-in actions through the SDK: the same [`Mutation`]s the demo fleet applies.

use super::errors::describe;
use crate::sources::Mutation;

pub async fn apply(clients: &super::Clients, m: &Mutation) -> Result<String, String> {
    let (ecs, lambda, sqs) = (&clients.ecs, &clients.lambda, &clients.sqs);
    // Long on purpose: one arm per built-in mutation, each a short SDK call.
    match m {
        Mutation::ScaleService {
            cluster,
            service,
            desired,
        } => {
            let r = ecs
                .update_service()
                .cluster(cluster)
                .service(service)
                .desired_count(*desired as i32)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let s = r.service();
            Ok(format!(
                "{cluster}/{service}: desired {} (running {})",
                s.map_or(*desired as i32, |s| s.desired_count()),
                s.map_or(0, |s| s.running_count())
            ))
        }
        Mutation::ForceNewDeployment { cluster, service } => {
            let r = ecs
                .update_service()
                .cluster(cluster)
                .service(service)
                .force_new_deployment(true)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let n = r.service().map_or(0, |s| s.deployments().len());
            Ok(format!(
                "{cluster}/{service}: new deployment started ({n} deployments)"
            ))
        }
        Mutation::RollbackService { cluster, service } => {
            let d = ecs
                .describe_services()
                .cluster(cluster)
                .services(service)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let current = d
                .services()
                .first()
                .and_then(|s| s.task_definition())
                .ok_or_else(|| format!("{cluster}/{service}: service not found"))?
                .to_string();
            let previous = previous_revision(&current)
                .ok_or_else(|| format!("{current}: no earlier revision to roll back to"))?;
            ecs.describe_task_definition()
                .task_definition(&previous)
                .send()
                .await
                .map_err(|e| format!("{previous}: {}", describe(&e)))?;
            ecs.update_service()
                .cluster(cluster)
                .service(service)
                .task_definition(&previous)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            Ok(format!(
                "{cluster}/{service}: rolled back {} → {previous}",
                current.rsplit('/').next().unwrap_or(&current)
            ))
        }
        Mutation::SetAlias {
            function,
            alias,
            version,
        } => {
            lambda
                .update_alias()
                .function_name(function)
                .name(alias)
                .function_version(version)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            Ok(format!("{function}: alias {alias} → version {version}"))
        }
        Mutation::SetReservedConcurrency {
            function,
            value: Some(v),
        } => {
            lambda
                .put_function_concurrency()
                .function_name(function)
                .reserved_concurrent_executions(*v as i32)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            Ok(format!("{function}: reserved concurrency {v}"))
        }
        Mutation::SetReservedConcurrency {
            function,
            value: None,
        } => {
            lambda
                .delete_function_concurrency()
                .function_name(function)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            Ok(format!("{function}: reserved concurrency removed"))
        }
        Mutation::SetMemory { function, mb } => {
            lambda
                .update_function_configuration()
                .function_name(function)
                .memory_size(*mb as i32)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            Ok(format!("{function}: memory {mb} MB"))
        }
        Mutation::PurgeQueue { queue, url } => {
            sqs.purge_queue()
                .queue_url(url)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            Ok(format!("{queue}: purged"))
        }
        Mutation::RedriveQueue {
            queue,
            dlq_arn,
            queue_arn,
        } => {
            let r = sqs
                .start_message_move_task()
                .source_arn(dlq_arn)
                .destination_arn(queue_arn)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            Ok(format!(
                "{queue}: redrive from {} started (task {})",
                super::sqs::name_of(dlq_arn),
                r.task_handle().unwrap_or("?")
            ))
        }
        Mutation::RebootDb { instance, failover } => {
            let r = clients
                .rds
                .reboot_db_instance()
                .db_instance_identifier(instance)
                .force_failover(*failover)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let status = r
                .db_instance()
                .and_then(|i| i.db_instance_status())
                .unwrap_or("?");
            Ok(format!(
                "{instance}: reboot{} started ({status})",
                if *failover { " with failover" } else { "" }
            ))
        }
        Mutation::FailoverDbCluster { cluster } => {
            let r = clients
                .rds
                .failover_db_cluster()
                .db_cluster_identifier(cluster)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let writer = r
                .db_cluster()
                .and_then(|c| {
                    c.db_cluster_members()
                        .iter()
                        .find(|m| m.is_cluster_writer() == Some(true))
                })
                .and_then(|m| m.db_instance_identifier())
                .unwrap_or("?");
            Ok(format!("{cluster}: failover started (writer {writer})"))
        }
        Mutation::SnapshotDb {
            id,
            cluster,
            snapshot,
        } => {
            if *cluster {
                clients
                    .rds
                    .create_db_cluster_snapshot()
                    .db_cluster_identifier(id)
                    .db_cluster_snapshot_identifier(snapshot)
                    .send()
                    .await
                    .map_err(|e| describe(&e))?;
            } else {
                clients
                    .rds
                    .create_db_snapshot()
                    .db_instance_identifier(id)
                    .db_snapshot_identifier(snapshot)
                    .send()
                    .await
                    .map_err(|e| describe(&e))?;
            }
            Ok(format!("{id}: snapshot {snapshot} started"))
        }
        Mutation::BackupTable { table, backup } => {
            let r = clients
                .dynamodb
                .create_backup()
                .table_name(table)
                .backup_name(backup)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let status = r
                .backup_details()
                .map(|b| b.backup_status().as_str().to_string())
                .unwrap_or_else(|| "?".into());
            Ok(format!("{table}: backup {backup} {status}"))
        }
        Mutation::StopExecution {
            machine,
            execution_arn,
        } => {
            clients
                .sfn
                .stop_execution()
                .execution_arn(execution_arn)
                .error("opsdeck.Stopped")
                .cause("stopped by the operator from opsdeck")
                .send()
                .await
                .map_err(|e| describe(&e))?;
            Ok(format!(
                "{machine}: execution {} stopped",
                super::kind::last_segment(execution_arn)
            ))
        }
        Mutation::RedriveExecution {
            machine,
            execution_arn,
        } => {
            clients
                .sfn
                .redrive_execution()
                .execution_arn(execution_arn)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            Ok(format!(
                "{machine}: execution {} redriven",
                super::kind::last_segment(execution_arn)
            ))
        }
        Mutation::TestFailover { group, node_group } => {
            let r = clients
                .elasticache
                .test_failover()
                .replication_group_id(group)
                .node_group_id(node_group)
                .send()
                .await
                .map_err(|e| describe(&e))?;
            let status = r
                .replication_group()
                .and_then(|g| g.status())
                .unwrap_or("?");
            Ok(format!(
                "{group}: failover of shard {node_group} started ({status})"
            ))
        }
    }
}

/// `…:task-definition/api:7` → `…:task-definition/api:6`.
pub fn previous_revision(task_def: &str) -> Option<String> {
    let (family, rev) = task_def.rsplit_once(':')?;
    let rev: u64 = rev.parse().ok()?;
    (rev > 1).then(|| format!("{family}:{}", rev - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previous_revisions() {
        assert_eq!(
            previous_revision("arn:aws:ecs:us-east-1:123:task-definition/api:7").as_deref(),
            Some("arn:aws:ecs:us-east-1:123:task-definition/api:6")
        );
        assert_eq!(previous_revision("api:1"), None);
        assert_eq!(previous_revision("api"), None);
    }
}
