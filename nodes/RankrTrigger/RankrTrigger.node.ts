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
import { EVENT_OPTIONS, EVENT_TYPES, filteredOut, normalise, RANK_FILTER_OPTIONS, type EventFilters } from './events';
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
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'rankr' }],
		properties: [
			{
				displayName:
					'Copy the Production URL above into Rankr\'s webhook settings. This trigger ignores a redelivery (same webhookId) that reaches the same n8n process; to cover restarts and several webhook processes too, add a "Remove Duplicates" step on {{ $json.webhookId }} after it (see the Rankr Trigger docs, Redeliveries).',
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
				const check = checkCredential(settingsOf(await this.getCredentials('rankrWebhookApi')));
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
		// Refusals at warn (someone sends what Rankr would not), acknowledged-but-skipped events lower.
		const log = nodeLog(this);

		// 1. Signature over the raw bytes, before anything else reads the body.
		const rawBody = rawBodyOf(req as unknown as { rawBody?: unknown; body?: unknown });
		if (rawBody.length > MAX_BODY_BYTES) {
			log.warn(`refused a delivery of ${rawBody.length} bytes (413): over the ${MAX_BODY_BYTES} a Rankr event can be`);
			return answer(413, { error: 'payload too large' });
		}
		const settings = settingsOf(await this.getCredentials('rankrWebhookApi'));
		const verdict = verifySignature(settings, rawBody, req.headers as Record<string, unknown>);
		if (!verdict.ok) {
			// Neither the answer nor the log names a header: one reason for a missing, misplaced or forged signature.
			log.warn(
				`refused a delivery (${verdict.status}): missing or invalid signature (verification: ${settings.method}${credentialHint(settings)}); no workflow started`,
			);
			return answer(verdict.status, { error: verdict.reason });
		}

		// 2. A verified body must be a JSON event.
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
		const webhookId = typeof event.webhookId === 'string' ? event.webhookId : '(none)';

		// 3. Replays: a stale (or future) timestamp is acknowledged but starts nothing. At warn: Rankr retries with
		//    the original timestamp, so after an outage longer than the window every retried delivery ends here.
		if (!withinReplayWindow(event.timestamp, settings.replayWindowSeconds)) {
			log.warn(
				`acknowledged ${String(event.type)} ${webhookId} without starting a run: ${outsideWindow(event.timestamp, settings.replayWindowSeconds)}`,
				{ webhookId, eventType: String(event.type) },
			);
			return answer(200, {
				received: true,
				ignored: 'timestamp outside the replay window',
				webhookId: event.webhookId ?? null,
			});
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
			return answer(200, { received: true, ignored: skip, webhookId: event.webhookId ?? null });
		}

		// 5. Redeliveries (same webhookId) are acknowledged again but start nothing; test events are exempt so
		//    the same sample can be sent while building the workflow. See redeliveries.ts for the limits.
		if (typeof event.webhookId === 'string' && event.webhookId !== '' && this.getMode() !== 'manual') {
			const node = this.getNode();
			const forgetAt = eventTime(event.timestamp) + settings.replayWindowSeconds * 1000 + 1000;
			const key = deliveryKey(this.getWorkflow().id, node.id ?? node.name, event.webhookId);
			if (!recentDeliveries.firstSighting(key, forgetAt, Date.now())) {
				log.info(
					`acknowledged ${String(event.type)} ${webhookId} without starting a run: a redelivery of an event already received`,
				);
				return answer(200, {
					received: true,
					ignored: 'redelivery of an event already received',
					webhookId: event.webhookId,
				});
			}
		}

		// Acknowledge it ourselves (n8n's default answer would be a bare placeholder) and start the workflow.
		res.status(200).json({ received: true, webhookId: event.webhookId ?? null });
		log.debug(`accepted ${String(event.type)} ${webhookId}: starting the workflow`);
		return { workflowData: [[{ json: normalise(event, new Date()) }]], noWebhookResponse: true };
	}
}

function settingsOf(data: IDataObject): VerificationSettings {
	// n8n fills an unstored method with the current default, Ed25519; verify.ts keyRingOf handles saved RSA keys.
	const method = (['ed25519', 'rsa', 'hmac', 'none'] as const).find((m) => m === data.method) ?? 'ed25519';
	return {
		method,
		publicKey: String(data.publicPem ?? '').replace(/\\n/g, '\n'),
		secret: String(data.secret ?? ''),
		replayWindowSeconds: Number(data.replayWindowSeconds ?? 300),
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
	return `its timestamp is ${offset} s old, outside ${window}. A replay, or a retry after n8n was unreachable: Rankr retries with the original timestamp, so after an outage longer than ${windowSeconds} s every retried delivery is dropped like this; if n8n was down, raise the Replay Window in the Rankr webhook credential`;
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
