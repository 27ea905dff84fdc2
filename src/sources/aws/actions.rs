//! Built-in actions through the SDK: each kind's module applies its own [`Mutation`]s (the
//! same the demo fleet applies); this only finds which.

use crate::sources::Mutation;

pub async fn apply(clients: &super::Clients, m: &Mutation) -> Result<String, String> {
    for kind in super::registry::KINDS {
        if let Some(f) = kind.apply(clients, m) {
            return f.await.map_err(String::from);
        }
    }
    Err(format!("no AWS call applies {m:?}"))
}
