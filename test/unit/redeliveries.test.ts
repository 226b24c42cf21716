// Jest (unit): the trigger's memory of recent webhookIds, bounded in time (the replay window) and in size.
import { RecentDeliveries } from '../../nodes/RankrTrigger/redeliveries';

/** A delivery handed over and taken by n8n: true when it was the first of its id. */
function taken(recent: RecentDeliveries, key: string, forgetAtMs: number, nowMs: number): boolean {
	const sighting = recent.sight(key, forgetAtMs, nowMs);
	if (sighting === 'first') recent.settle(key, true);
	return sighting === 'first';
}

test('an id is refused while remembered and accepted again once its time has passed', () => {
	const recent = new RecentDeliveries(10);
	expect(taken(recent, 'a', 1_000, 0)).toBe(true);
	expect(taken(recent, 'a', 1_000, 999)).toBe(false);
	expect(taken(recent, 'a', 2_000, 1_000)).toBe(true);
});

test('expired ids are forgotten, so memory follows the replay window, not the history', () => {
	const recent = new RecentDeliveries(1_000_000);
	for (let i = 0; i < 5_000; i++) taken(recent, `id-${i}`, i + 300, i);
	expect(recent.size).toBeLessThanOrEqual(301);
});

test('beyond its capacity the oldest ids are forgotten first', () => {
	const recent = new RecentDeliveries(3);
	for (const id of ['a', 'b', 'c', 'd']) expect(taken(recent, id, 10_000, 0)).toBe(true);
	expect(recent.size).toBe(3);
	expect(taken(recent, 'd', 10_000, 1)).toBe(false);
	expect(taken(recent, 'a', 10_000, 1)).toBe(true);
});

test('the memory is bounded in bytes too: long keys are forgotten oldest first once the bytes are spent', () => {
	const recent = new RecentDeliveries(1_000_000, 10_000);
	for (let i = 0; i < 1_000; i++) expect(taken(recent, `${i}`.padEnd(300, 'x'), 10_000, 0)).toBe(true);
	expect(recent.byteSize).toBeLessThanOrEqual(10_000);
	expect(recent.size).toBe(Math.floor(10_000 / (300 * 2 + 80)));
	expect(taken(recent, '999'.padEnd(300, 'x'), 10_000, 1)).toBe(false); // the newest are kept
	expect(taken(recent, '0'.padEnd(300, 'x'), 10_000, 1)).toBe(true); // the oldest went first
	// Forgetting gives the bytes back.
	taken(recent, 'late', 20_000, 10_000);
	expect(recent.size).toBe(1);
	expect(recent.byteSize).toBe('late'.length * 2 + 80);
});

test('while the first copy is being handed over, another copy is told pending; once taken, taken', () => {
	const recent = new RecentDeliveries();
	expect(recent.sight('a', 1_000, 0)).toBe('first');
	expect(recent.sight('a', 1_000, 1)).toBe('pending');
	recent.settle('a', true);
	expect(recent.sight('a', 1_000, 2)).toBe('taken');
});

test('a hand-over n8n did not take is forgotten, so the retry of that delivery runs', () => {
	const recent = new RecentDeliveries();
	expect(recent.sight('a', 1_000, 0)).toBe('first');
	recent.settle('a', false);
	expect(recent.size).toBe(0);
	expect(recent.byteSize).toBe(0);
	expect(recent.sight('a', 1_000, 600)).toBe('first');
	recent.settle('a', true);
	recent.settle('a', false); // a second settle of the same hand-over changes nothing
	expect(recent.sight('a', 1_000, 601)).toBe('taken');
});
