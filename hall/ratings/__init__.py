"""好差评: service ratings and the follow-up of bad ratings."""
