// Jest (unit): the Rankr Trigger's timestamps and replay window (nodes/RankrTrigger/replayWindow.ts, delivery.ts) and
// the credential's default window. The timestamp cases compare with Date.UTC, so they hold in any TZ (and fail
// without the fix when jest runs with TZ other than UTC). The window on deliveries: test/nodes/RankrTrigger/trigger.test.ts.
import { RankrWebhookApi } from '../../credentials/RankrWebhookApi.credentials';
import { DEFAULT_REPLAY_WINDOW_SECONDS, RANKR_RETRY_HORIZON_SECONDS } from '../../nodes/RankrTrigger/delivery';
import { eventTime, withinReplayWindow } from '../../nodes/RankrTrigger/replayWindow';

describe('event timestamps', () => {
	const utc = (...parts: [number, number, number, number, number, number?, number?]) => Date.UTC(...parts);

	test.each([
		['2026-11-23T10:15:00', utc(2026, 10, 23, 10, 15, 0)],
		['2026-11-23 10:15:00', utc(2026, 10, 23, 10, 15, 0)],
		['2026-11-23T10:15', utc(2026, 10, 23, 10, 15)],
		['2026-11-23T10:15:00.123', utc(2026, 10, 23, 10, 15, 0, 123)],
		['2026-11-23T10:15:00.123456789', utc(2026, 10, 23, 10, 15, 0, 123)],
		['2026-11-23T10:15:00Z', utc(2026, 10, 23, 10, 15, 0)],
		['2026-11-23T10:15:00.5z', utc(2026, 10, 23, 10, 15, 0, 500)],
		['2026-11-23T10:15:00+05:30', utc(2026, 10, 23, 4, 45, 0)],
		['2026-11-23T10:15:00+0530', utc(2026, 10, 23, 4, 45, 0)],
		['2026-11-23T10:15:00-08:00', utc(2026, 10, 23, 18, 15, 0)],
		['2026-11-23 10:15:00-0800', utc(2026, 10, 23, 18, 15, 0)],
		['2026-11-23', utc(2026, 10, 23, 0, 0, 0)],
		['2024-02-29T23:59:59Z', utc(2024, 1, 29, 23, 59, 59)],
	])('%s → its UTC instant', (text, expected) => {
		expect(eventTime(text)).toBe(expected);
	});

	test('epoch milliseconds as a number are taken as they are', () => {
		expect(eventTime(1_795_428_900_000)).toBe(1_795_428_900_000);
		expect(eventTime(Number.NaN)).toBeNaN();
	});

	test.each([
		['over 64 characters', `2026-11-23T10:15:00Z${' '.repeat(45)}`],
		['65 characters of fraction', `2026-11-23T10:15:00.${'1'.repeat(45)}`],
		['not a date', 'yesterday'],
		['an RFC 2822 date (not the contract)', 'Mon, 23 Nov 2026 10:15:00 GMT'],
		['epoch ms as a string', '1795428900000'],
		['month 13', '2026-13-01T00:00:00Z'],
		['30 February', '2026-02-30T00:00:00Z'],
		['29 February in a common year', '2026-02-29T00:00:00Z'],
		['hour 24', '2026-11-23T24:00:00Z'],
		['minute 60', '2026-11-23T10:60:00Z'],
		['offset hour 24', '2026-11-23T10:15:00+24:00'],
		['a zone without a time', '2026-11-23Z'],
		['text after it', '2026-11-23T10:15:00Z trailing'],
		['the empty string', ''],
	])('%s → NaN', (_, text) => {
		expect(eventTime(text)).toBeNaN();
	});

	test.each([null, undefined, {}, ['2026-11-23T10:15:00Z'], true])('%p → NaN', (value) => {
		expect(eventTime(value)).toBeNaN();
	});

	test('a zone-less timestamp of now is inside the replay window', () => {
		const now = Date.UTC(2026, 10, 23, 10, 15, 30);
		expect(withinReplayWindow('2026-11-23T10:15:00', 300, now)).toBe(true);
		expect(withinReplayWindow('2026-11-23T10:15:00+01:00', 300, now)).toBe(false);
	});
});

test("the credential's default and the trigger's agree, and cover Rankr's retries", () => {
	const field = new RankrWebhookApi().properties.find((p) => p.name === 'replayWindowSeconds');
	expect(field?.default).toBe(DEFAULT_REPLAY_WINDOW_SECONDS);
	expect(DEFAULT_REPLAY_WINDOW_SECONDS).toBeGreaterThanOrEqual(RANKR_RETRY_HORIZON_SECONDS);
	expect(RANKR_RETRY_HORIZON_SECONDS).toBeGreaterThanOrEqual(75 * 60);
});
