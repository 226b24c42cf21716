// The Rankr Trigger node: a webhook that verifies, de-duplicates and filters events. Uses its modules, shared/log.
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IHookFunctions,
	INodeCredentialTestResult,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { nodeLog } from '../shared/log';
import {
	EVENT_OPTIONS,
	EVENT_TYPES,
	filteredOut,
	nestedDeeperThan,
	normalise,
	RANK_FILTER_OPTIONS,
	type EventFilters,
} from './events';
import { DEFAULT_REPLAY_WINDOW_SECONDS, RANKR_RETRY_HORIZON_SECONDS } from './delivery';
import { deliveryKey, recentDeliveries } from './redeliveries';
import {
	checkCredential,
	eventTime,
	keyRingOf,
	verifySignature,
	withinReplayWindow,
	type VerificationSettings,
} from './verify';

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

export class RankrTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Rankr Trigger',
		name: 'rankrTrigger',
		icon: { light: 'file:rankr.svg', dark: 'file:rankr.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["events"].join(", ") }}',
		description: 'Starts the workflow on signed Rankr user events: signup, update, deletion, rank change, inactivity',
		defaults: { name: 'Rankr Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'rankrWebhookApi', required: true, testedBy: 'rankrWebhookApiTest' }],
		// n8n answers once it has saved or queued the run, with the node's webhookResponse: responseData must be
		// empty for that (left out, n8n would answer the text "firstEntryJson").
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: 'rankr' }],
		properties: [
			{
				displayName:
					'Copy the Production URL above into Rankr\'s webhook settings. Rankr retries a delivery only when it is answered 429, so put the reverse proxy of the Rankr Trigger docs in front of n8n to turn a restart or an overload into a retry. This trigger runs each webhookId once per n8n process; to cover restarts and several webhook processes too, add a "Remove Duplicates" step on {{ $json.webhookId }} after it.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: ['UserCreate'],
				options: EVENT_OPTIONS,
			},
			{
				displayName: 'Rank Filter',
				name: 'rankFilter',
				type: 'options',
				default: 'any',
				description: 'Which rank changes start the workflow (rank 1 is the best)',
				displayOptions: { show: { events: ['UserRankUpdate', '*'] } },
				options: RANK_FILTER_OPTIONS,
			},
			{
				displayName: 'Top N',
				name: 'topN',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 10,
				displayOptions: { show: { events: ['UserRankUpdate', '*'], rankFilter: ['enteredTopN', 'leftTopN'] } },
			},
			{
				displayName: 'Minimum Inactive Days',
				name: 'inactiveDays',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Only inactivity events for users inactive at least this many days (0: all)',
				displayOptions: { show: { events: ['UserInactive', '*'] } },
			},
		],
	};

	methods = {
		credentialTest: {
			async rankrWebhookApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const check = checkCredential(settingsOf((credential.data ?? {}) as IDataObject));
				if (check.problem) return { status: 'Error', message: check.problem };
				// n8n shows the message of a failed test only: a saved RSA credential that still works but cannot
				// verify today's Ed25519 deliveries fails the test, so the person sees what to do.
				if (check.legacyRsaNotice) return { status: 'Error', message: check.legacyRsaNotice };
				return { status: 'OK', message: check.summary };
			},
		},
	};

	// Rankr has no API to register webhooks: the user pastes the URL into Rankr's settings. Activation still
	// checks what it can — that the credential can verify deliveries — so a bad key fails at activation,
	// not silently at the first event.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const settings = settingsOf(await this.getCredentials('rankrWebhookApi'));
				const check = checkCredential(settings);
				if (check.problem)
					throw new NodeOperationError(
						this.getNode(),
						`The Rankr webhook credential cannot verify deliveries: ${check.problem}`,
					);
				// A saved RSA credential keeps working as before (see keyRingOf in verify.ts): activate, but say so.
				if (check.legacyRsaNotice)
					this.logger?.warn(`[${this.getNode().name}] activated with a legacy RSA key: ${check.legacyRsaNotice}`, {
						node: this.getNode().name,
						workflowId: this.getWorkflow().id ?? '',
					});
				if (settings.replayWindowSeconds < RANKR_RETRY_HORIZON_SECONDS)
					this.logger?.warn(
						`[${this.getNode().name}] the Rankr webhook credential's Replay Window is ${settings.replayWindowSeconds} s: Rankr retries a delivery up to about ${RANKR_RETRY_HORIZON_SECONDS / 60} minutes after its event, so retries later than that will be acknowledged and dropped (set it to at least ${RANKR_RETRY_HORIZON_SECONDS})`,
						{ node: this.getNode().name, workflowId: this.getWorkflow().id ?? '' },
					);
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
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

function settingsOf(data: IDataObject): VerificationSettings {
	// n8n fills an unstored method with the current default, Ed25519; verify.ts keyRingOf handles saved RSA keys.
	const method = (['ed25519', 'rsa', 'hmac', 'none'] as const).find((m) => m === data.method) ?? 'ed25519';
	return {
		method,
		publicKey: String(data.publicPem ?? '').replace(/\\n/g, '\n'),
		secret: String(data.secret ?? ''),
		replayWindowSeconds: Number(data.replayWindowSeconds ?? DEFAULT_REPLAY_WINDOW_SECONDS),
	};
}

/** For a refusal's log line: why every delivery will be refused, when the credential is the cause (no header named). */
function credentialHint(settings: VerificationSettings): string {
	if (settings.method !== 'ed25519') return '';
	const ring = keyRingOf(settings);
	if (ring.legacyRsa) return '; the credential holds only a legacy RSA key, see its credential test';
	if (ring.problems.length)
		return `; the credential has ${ring.keys.length ? 'unusable keys' : 'no usable key'}, see its credential test`;
	return '';
}

/** Why a timestamp is outside the window, and what to do when it was an outage rather than a replay. */
function outsideWindow(timestamp: unknown, windowSeconds: number): string {
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

/** n8n keeps the exact bytes as rawBody; fall back to the parsed body only when it is missing. */
function rawBodyOf(req: { rawBody?: unknown; body?: unknown }): Buffer {
	if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
	if (typeof req.rawBody === 'string') return Buffer.from(req.rawBody, 'utf8');
	if (Buffer.isBuffer(req.body)) return req.body;
	if (typeof req.body === 'string') return Buffer.from(req.body, 'utf8');
	return Buffer.from(req.body === undefined ? '' : JSON.stringify(req.body), 'utf8');
}

export { EVENT_TYPES };
