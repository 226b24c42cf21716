// Rankr Trigger: the webhookIds recently handed to n8n, so a redelivery starts no second run. Uses nothing.
// Rankr's contract: reject a repeated webhookId; and Rankr (HighLevel) repeats a delivery only after a 429,
// up to ~70 minutes later, with the same webhookId. So an id is remembered in two states:
//   pending  a run is being handed to n8n for it; n8n has not answered the delivery yet
//   taken    n8n answered 2xx: the run is queued or started, a later copy starts nothing
// A delivery that n8n did not take (it answered 5xx: it could not save or queue the run) is forgotten, so
// Rankr's retry of it runs; one it took stays taken even when its answer came too late for the sender. A copy arriving while the first is pending is told to come back later (429):
// answering 2xx would lose the event if the first hand-over then fails.
// Workflow static data written in webhook() does not reliably survive between deliveries, and n8n's persisted
// de-dup store (checkProcessedAndRecord) exists only in execute contexts, so this is process memory. Node runs
// webhook() on one thread, so check-and-record is atomic: within one n8n process (regular mode, or queue mode's
// single webhook process) a redelivery never starts a second run. An id only needs remembering while its
// timestamp is inside the replay window: after that the timestamp check turns the redelivery away anyway.
// What memory cannot cover — a restart, or several webhook processes behind a load balancer — is left to a
// "Remove Duplicates" step on webhookId in the workflow (the examples have one).

/** Upper bound on remembered ids (~100 bytes each); beyond it the oldest are forgotten first. */
const MAX_REMEMBERED = 200_000;
/**
 * And on their bytes, counted per key (UTF-16 characters × 2, plus the Map entry and its number). The trigger
 * refuses a webhookId over 256 characters before it gets here, so a key is at most ~600 bytes; without this
 * bound 200,000 of those would be ~150 MB, with it the memory stays near 40 MiB whatever the ids' length.
 */
const MAX_REMEMBERED_BYTES = 40 * 1024 * 1024;
/** What a Map entry with a number value costs besides its key's characters (an estimate, on the high side). */
const ENTRY_OVERHEAD_BYTES = 80;

/** What the memory says of a delivery: the first of its id (now pending), or one whose id is pending or taken. */
export type Sighting = 'first' | 'pending' | 'taken';

export class RecentDeliveries {
	/** key → the moment it may be forgotten (ms). A Map iterates in insertion order: oldest first. */
	private readonly expiries = new Map<string, number>();

	/** Keys whose hand-over to n8n is under way (a subset of `expiries`: as many as deliveries in flight). */
	private readonly pending = new Set<string>();

	/** Estimated bytes of all remembered keys (see MAX_REMEMBERED_BYTES). */
	private bytes = 0;

	constructor(
		private readonly capacity = MAX_REMEMBERED,
		private readonly maxBytes = MAX_REMEMBERED_BYTES,
	) {}

	/**
	 * 'first' when `key` is not remembered: it is then remembered as pending until `forgetAtMs`, and the caller
	 * must `settle` it. Otherwise whether the earlier delivery of it is still pending or was taken.
	 */
	sight(key: string, forgetAtMs: number, nowMs: number): Sighting {
		this.forgetExpired(nowMs);
		const known = this.expiries.get(key);
		if (known !== undefined && known > nowMs) return this.pending.has(key) ? 'pending' : 'taken';
		this.forget(key);
		this.expiries.set(key, forgetAtMs);
		this.pending.add(key);
		this.bytes += costOf(key);
		while (this.expiries.size > this.capacity || (this.bytes > this.maxBytes && this.expiries.size > 1)) {
			this.forget(this.expiries.keys().next().value as string);
		}
		return 'first';
	}

	/** The hand-over of a pending key ended: taken (n8n holds the run) keeps it, otherwise it is forgotten. */
	settle(key: string, taken: boolean): void {
		if (!this.pending.delete(key)) return; // forgotten meanwhile (expired or pushed out)
		if (!taken) this.forget(key);
	}

	get size(): number {
		return this.expiries.size;
	}

	/** The estimated bytes the remembered keys take. */
	get byteSize(): number {
		return this.bytes;
	}

	private forget(key: string): void {
		this.pending.delete(key);
		if (this.expiries.delete(key)) this.bytes -= costOf(key);
	}

	/** Drops expired ids from the old end; ids arrive roughly in timestamp order, so this stops early. */
	private forgetExpired(nowMs: number): void {
		for (const [key, forgetAt] of this.expiries) {
			if (forgetAt > nowMs) break;
			this.forget(key);
		}
	}
}

const costOf = (key: string) => key.length * 2 + ENTRY_OVERHEAD_BYTES;

/** One per n8n process: shared by every Rankr Trigger in it, keyed by workflow, node and webhookId. */
export const recentDeliveries = new RecentDeliveries();

export function deliveryKey(workflowId: string | undefined, nodeId: string, webhookId: string): string {
	return `${workflowId ?? ''}\u0000${nodeId}\u0000${webhookId}`;
}
