//! Built-in actions through the SDK: each kind's module applies its own [`Mutation`]s (the
//! same the demo fleet applies); this only finds which.

use crate::sources::Mutation;

pub async fn apply(clients: &super::Clients, m: &Mutation) -> Result<String, String> {
    match m {
        Mutation::Ecs(m) => return super::ecs::apply(clients, m).await.map_err(String::from),
        Mutation::Lambda(m) => {
            return super::lambda::apply(clients, m).await.map_err(String::from);
        }
        _ => {}
    }
    for kind in super::registry::KINDS {
        if let Some(f) = kind.apply(clients, m) {
            return f.await.map_err(String::from);
        }
    }
    Err(format!("no AWS call applies {m:?}"))
}
