//! botgate: one API for the QQ Bot gateway, the Bubble open gateway and OneBot v11.
