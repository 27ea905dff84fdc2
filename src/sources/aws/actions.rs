//! Built-in actions through the SDK: each kind's module applies its own [`Mutation`]s (the
//! same the demo fleet applies); this only finds which.

use crate::sources::Mutation;

pub async fn apply(clients: &super::Clients, m: &Mutation) -> Result<String, String> {
    if super::ecs::handles(m) {
        return super::ecs::apply(clients, m).await;
    }
    if super::lambda::handles(m) {
        return super::lambda::apply(clients, m).await;
    }
    for kind in super::registry::KINDS {
        if let Some(f) = kind.apply(clients, m) {
            return f.await;
        }
    }
    Err(format!("no AWS call applies {m:?}"))
}
