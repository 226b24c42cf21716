// Rankr Trigger: an event's timestamp and the replay window it must fall in. Uses delivery.
import { DEFAULT_REPLAY_WINDOW_SECONDS, RANKR_RETRY_HORIZON_SECONDS } from './delivery';

/** An ISO 8601 timestamp is well under this; a longer string is not read at all. */
const MAX_TIMESTAMP_CHARS = 64;
/** Date, then optionally time and zone: anchored, no nested repetition, so it cannot backtrack. */
const ISO_TIMESTAMP =
	/^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|([+-])(\d{2}):?(\d{2}))?)?$/;

/** An event's `timestamp` (ISO 8601 string or epoch ms) in ms; NaN when it is neither. */
export function eventTime(timestamp: unknown): number {
	if (typeof timestamp === 'number') return timestamp;
	if (typeof timestamp !== 'string' || timestamp.length > MAX_TIMESTAMP_CHARS) return Number.NaN;
	const m = ISO_TIMESTAMP.exec(timestamp);
	if (!m) return Number.NaN;
	const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
	const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
	const offsetMinutes = m[9] ? (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
	if (hour > 23 || minute > 59 || second > 59 || (m[9] && (Number(m[10]) > 23 || Number(m[11]) > 59)))
		return Number.NaN;
	// The contract says the timestamp is UTC, so a zone-less one is read as UTC (not this server's local time).
	const date = new Date(0);
	date.setUTCFullYear(year, month - 1, day);
	if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return Number.NaN; // e.g. 2026-02-30
	date.setUTCHours(hour, minute, second, ms);
	return date.getTime() - offsetMinutes * 60_000;
}

/** Whether the event's timestamp is within the replay window of now (both directions, for clock skew). */
export function withinReplayWindow(timestamp: unknown, windowSeconds: number, now = Date.now()): boolean {
	const at = eventTime(timestamp);
	if (!Number.isFinite(at)) return false;
	return Math.abs(now - at) <= windowSeconds * 1000;
}

/** Why a timestamp is outside the window, and what to do when it was an outage rather than a replay. */
export function outsideWindow(timestamp: unknown, windowSeconds: number): string {
	const at = eventTime(timestamp);
	const window = `the ${windowSeconds} s replay window`;
	if (!Number.isFinite(at)) return `its timestamp is missing or not a date, so it cannot be inside ${window}`;
	const offset = Math.round((Date.now() - at) / 1000);
	if (offset < 0) {
		return `its timestamp is ${-offset} s in the future, outside ${window}: check this server's clock, or raise the Replay Window in the Rankr webhook credential to allow for the skew`;
	}
	const advice =
		windowSeconds < RANKR_RETRY_HORIZON_SECONDS
			? `: Rankr retries up to about ${RANKR_RETRY_HORIZON_SECONDS / 60} minutes after the event with the original timestamp, so raise the Replay Window in the Rankr webhook credential to at least ${RANKR_RETRY_HORIZON_SECONDS} (the default is ${DEFAULT_REPLAY_WINDOW_SECONDS})`
			: ', later than Rankr retries: a replay, or an event sent by hand';
	return `its timestamp is ${offset} s old, outside ${window}${advice}`;
}
