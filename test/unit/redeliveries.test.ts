// Jest (unit): the trigger's memory of recent webhookIds, bounded in time (the replay window) and in size.
import { RecentDeliveries } from '../../nodes/RankrTrigger/redeliveries';

test('an id is refused while remembered and accepted again once its time has passed', () => {
	const recent = new RecentDeliveries(10);
	expect(recent.firstSighting('a', 1_000, 0)).toBe(true);
	expect(recent.firstSighting('a', 1_000, 999)).toBe(false);
	expect(recent.firstSighting('a', 2_000, 1_000)).toBe(true);
});

test('expired ids are forgotten, so memory follows the replay window, not the history', () => {
	const recent = new RecentDeliveries(1_000_000);
	for (let i = 0; i < 5_000; i++) recent.firstSighting(`id-${i}`, i + 300, i);
	expect(recent.size).toBeLessThanOrEqual(301);
});

test('beyond its capacity the oldest ids are forgotten first', () => {
	const recent = new RecentDeliveries(3);
	for (const id of ['a', 'b', 'c', 'd']) expect(recent.firstSighting(id, 10_000, 0)).toBe(true);
	expect(recent.size).toBe(3);
	expect(recent.firstSighting('d', 10_000, 1)).toBe(false);
	expect(recent.firstSighting('a', 10_000, 1)).toBe(true);
});

test('the memory is bounded in bytes too: long keys are forgotten oldest first once the bytes are spent', () => {
	const recent = new RecentDeliveries(1_000_000, 10_000);
	for (let i = 0; i < 1_000; i++) expect(recent.firstSighting(`${i}`.padEnd(300, 'x'), 10_000, 0)).toBe(true);
	expect(recent.byteSize).toBeLessThanOrEqual(10_000);
	expect(recent.size).toBe(Math.floor(10_000 / (300 * 2 + 80)));
	expect(recent.firstSighting('999'.padEnd(300, 'x'), 10_000, 1)).toBe(false); // the newest are kept
	expect(recent.firstSighting('0'.padEnd(300, 'x'), 10_000, 1)).toBe(true); // the oldest went first
	// Forgetting gives the bytes back.
	recent.firstSighting('late', 20_000, 10_000);
	expect(recent.size).toBe(1);
	expect(recent.byteSize).toBe('late'.length * 2 + 80);
});
