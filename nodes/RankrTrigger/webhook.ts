// Rankr Trigger: one delivery, from its raw bytes to a run or an answer. Uses the checks beside it, shared/log.
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { nodeLog } from '../shared/log';
import { credentialHint } from './credentialCheck';
import { filteredOut, nestedDeeperThan, normalise, type EventFilters } from './events';
import { deliveryKey, recentDeliveries } from './redeliveries';
import { eventTime, outsideWindow, withinReplayWindow } from './replayWindow';
import { settingsOf, type VerificationSettings } from './settings';
import { verifySignature } from './signature';

/** Larger bodies are refused before they are parsed: no Rankr event comes near this. */
const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Longest id fields a signed event may carry (Rankr's are ~20 characters). A longer one is refused, so it never
 * reaches the de-dup memory (whose byte bound relies on this) or a log line.
 */
const MAX_ID_CHARS: Record<string, number> = { webhookId: 256, id: 256, type: 64 };
/** Rankr's events nest three levels at most (permissions); a deeper body is refused before it is parsed. */
const MAX_NESTING = 32;
/**
 * What a 429 asks for. Rankr (HighLevel) retries about 10 minutes later whatever it says; a relay that honours
 * Retry-After comes back sooner.
 */
const RETRY_AFTER_SECONDS = 60;

/** The trigger's webhook(): verifies, de-duplicates and filters a delivery, then hands the event to n8n. */
export async function receiveDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const req = this.getRequestObject();
	const res = this.getResponseObject();
	const answer = (status: number, body: IDataObject): IWebhookResponseData => {
		res.status(status).json(body);
		return { noWebhookResponse: true };
	};
	// 429 is the one answer Rankr retries (every other status is final): for what can go through later.
	const comeBackLater = (body: IDataObject): IWebhookResponseData => {
		res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
		return answer(429, body);
	};
	// Refusals at warn (someone sends what Rankr would not), acknowledged-but-skipped events lower.
	const log = nodeLog(this);

	// 1. Signature over the raw bytes, before anything else reads the body.
	const rawBody = rawBodyOf(req as unknown as { rawBody?: unknown; body?: unknown });
	if (rawBody.length > MAX_BODY_BYTES) {
		log.warn(`refused a delivery of ${rawBody.length} bytes (413): over the ${MAX_BODY_BYTES} a Rankr event can be`);
		return answer(413, { error: 'payload too large' });
	}
	let settings: VerificationSettings;
	try {
		settings = settingsOf(await this.getCredentials('rankrWebhookApi'));
	} catch (error) {
		// n8n could not read the credential now (its database busy or restarting): not the sender's fault.
		log.warn(
			`answered a delivery 429 (Rankr retries it in about 10 minutes): the Rankr webhook credential could not be read: ${(error as Error).message}`,
		);
		return comeBackLater({ error: 'temporarily unavailable, retry later' });
	}
	const verdict = verifySignature(settings, rawBody, req.headers as Record<string, unknown>);
	if (!verdict.ok) {
		// Neither the answer nor the log names a header: one reason for a missing, misplaced or forged signature.
		log.warn(
			`refused a delivery (${verdict.status}): missing or invalid signature (verification: ${settings.method}${credentialHint(settings)}); no workflow started`,
		);
		return answer(verdict.status, { error: verdict.reason });
	}

	// 2. A verified body must be a JSON event with a webhookId, shallow enough to be stored and shown.
	if (nestedDeeperThan(rawBody, MAX_NESTING)) {
		log.warn(`refused a correctly signed delivery (400): its JSON nests deeper than ${MAX_NESTING} levels`);
		return answer(400, { error: `body nests deeper than ${MAX_NESTING} levels` });
	}
	let event: IDataObject;
	try {
		event = JSON.parse(rawBody.toString('utf8')) as IDataObject;
	} catch {
		log.warn('refused a correctly signed delivery (400): its body is not JSON');
		return answer(400, { error: 'body is not JSON' });
	}
	if (!event || typeof event !== 'object' || Array.isArray(event)) {
		log.warn('refused a correctly signed delivery (400): its body is not a JSON object');
		return answer(400, { error: 'body is not a JSON object' });
	}
	for (const [field, max] of Object.entries(MAX_ID_CHARS)) {
		const value = event[field];
		if (typeof value === 'string' && value.length > max) {
			log.warn(
				`refused a correctly signed delivery (400): its ${field} is ${value.length} characters, over the ${max} a Rankr ${field} can be`,
			);
			return answer(400, { error: `${field} is longer than ${max} characters` });
		}
	}
	// Without a webhookId a copy cannot be told from a new event: every resend would start another run.
	if (typeof event.webhookId !== 'string' || event.webhookId.trim() === '') {
		log.warn(
			`refused a correctly signed ${String(event.type)} (400): it has no webhookId, which every Rankr event has`,
		);
		return answer(400, { error: 'webhookId is missing' });
	}
	const webhookId = event.webhookId;

	// 3. Replays: a stale (or future) timestamp is acknowledged but starts nothing. At warn: Rankr retries with
	//    the original timestamp, so a window shorter than Rankr's retries drops those retries here.
	if (!withinReplayWindow(event.timestamp, settings.replayWindowSeconds)) {
		log.warn(
			`acknowledged ${String(event.type)} ${webhookId} without starting a run: ${outsideWindow(event.timestamp, settings.replayWindowSeconds)}`,
			{ webhookId, eventType: String(event.type) },
		);
		return answer(200, { received: true, ignored: 'timestamp outside the replay window', webhookId });
	}

	// 4. The node's filters.
	const filters: EventFilters = {
		events: this.getNodeParameter('events', []) as string[],
		rankFilter: this.getNodeParameter('rankFilter', 'any') as EventFilters['rankFilter'],
		topN: this.getNodeParameter('topN', 10) as number,
		minInactiveDays: this.getNodeParameter('inactiveDays', 0) as number,
	};
	const skip = filteredOut(event, filters);
	if (skip) {
		log.debug(`acknowledged ${String(event.type)} ${webhookId} without starting a run: ${skip}`);
		return answer(200, { received: true, ignored: skip, webhookId });
	}

	// 5. Redeliveries (same webhookId) start nothing once n8n took the first; test events are exempt so the
	//    same sample can be sent while building the workflow. See redeliveries.ts for the limits.
	if (this.getMode() !== 'manual') {
		const node = this.getNode();
		const forgetAt = eventTime(event.timestamp) + settings.replayWindowSeconds * 1000 + 1000;
		const key = deliveryKey(this.getWorkflow().id, node.id ?? node.name, webhookId);
		const sighting = recentDeliveries.sight(key, forgetAt, Date.now());
		if (sighting === 'taken') {
			log.info(
				`acknowledged ${String(event.type)} ${webhookId} without starting a run: a redelivery of an event already received`,
			);
			return answer(200, { received: true, ignored: 'redelivery of an event already received', webhookId });
		}
		if (sighting === 'pending') {
			log.info(
				`answered ${String(event.type)} ${webhookId} 429: an earlier copy is still being handed to n8n; if that fails, this retry runs`,
			);
			return comeBackLater({
				error: 'an earlier copy of this event is still being handed over, retry later',
				webhookId,
			});
		}
		settleWhenAnswered(res, key);
	}

	// n8n answers with webhookResponse once it has saved or queued the run (n8n 2.x; docs/rankr-trigger.md),
	// and with a 5xx when it cannot: then the id is forgotten, so Rankr's retry (after a proxy's 429) runs.
	log.debug(`accepted ${String(event.type)} ${webhookId}: handing the run to n8n`);
	return {
		workflowData: [[{ json: normalise(event, new Date()) }]],
		webhookResponse: { received: true, webhookId },
	};
}

/**
 * Settles a pending webhookId with n8n's own verdict on the run: n8n ends the response 2xx once it has saved
 * or queued the run (taken), or 5xx when it could not (forgotten, so Rankr's retry after the proxy's 429 runs).
 * It is read from the status n8n ends the response with, not from whether the answer reached the sender: after
 * a proxy's time-out n8n still finishes the hand-over and says how it went, and a retry of a run n8n did take
 * must not run again.
 */
function settleWhenAnswered(res: unknown, key: string): void {
	const response = res as { end?: (...args: unknown[]) => unknown; statusCode?: number };
	const end = response.end;
	if (typeof end !== 'function') {
		recentDeliveries.settle(key, true); // no way to watch the answer: taken, as without this check
		return;
	}
	response.end = function (this: unknown, ...args: unknown[]) {
		const status = response.statusCode ?? 0;
		recentDeliveries.settle(key, status >= 200 && status < 300);
		return end.apply(this, args);
	};
}

/** n8n keeps the exact bytes as rawBody; fall back to the parsed body only when it is missing. */
function rawBodyOf(req: { rawBody?: unknown; body?: unknown }): Buffer {
	if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
	if (typeof req.rawBody === 'string') return Buffer.from(req.rawBody, 'utf8');
	if (Buffer.isBuffer(req.body)) return req.body;
	if (typeof req.body === 'string') return Buffer.from(req.body, 'utf8');
	return Buffer.from(req.body === undefined ? '' : JSON.stringify(req.body), 'utf8');
}
