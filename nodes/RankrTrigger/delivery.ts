// Rankr Trigger: Rankr's delivery policy as numbers (HighLevel's "Automated Webhook Retries"). Uses nothing.

/**
 * How long after its event Rankr may still retry a delivery: only after a 429, six retries about 10 minutes
 * apart with jitter, the last about 70 minutes after the first attempt; 75 minutes with room for the jitter.
 */
export const RANKR_RETRY_HORIZON_SECONDS = 75 * 60;

/**
 * The credential's default Replay Window (its field repeats the number, as n8n reads it literally): Rankr's
 * retry horizon plus 15 minutes for clock skew and a slow last retry.
 */
export const DEFAULT_REPLAY_WINDOW_SECONDS = 90 * 60;
