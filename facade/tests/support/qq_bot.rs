//! A QQ bot builder pointed at a QQ sim: the test files' one copy.

use botgate::{Bot, QqBot};
use botgate_sim::QqSim;

/// A builder pointed at `sim`'s token and discovery endpoints.
pub fn bot_for(sim: &QqSim) -> QqBot {
    Bot::qq(
        sim.config().app_id.clone(),
        sim.config().client_secret.clone(),
    )
    .api_base(sim.http_base())
    .auth_base(sim.http_base())
}
