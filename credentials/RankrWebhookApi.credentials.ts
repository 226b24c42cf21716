// Rankr Webhook credential: how the trigger verifies deliveries (keys, secret, replay window). Uses n8n types.
import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * How the Rankr Trigger tells a real Rankr delivery from anything else posted to its URL. There is no API
 * to call: the Rankr Trigger tests it (testedBy) by checking that the key or secret is usable.
 */
export class RankrWebhookApi implements ICredentialType {
	name = 'rankrWebhookApi';

	displayName = 'Rankr Webhook API';

	icon: Icon = { light: 'file:../nodes/RankrTrigger/rankr.svg', dark: 'file:../nodes/RankrTrigger/rankr.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-rankr/n8n-nodes-rankr/blob/main/docs/credentials.md#rankr-webhook-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Verification Method',
			name: 'method',
			type: 'options',
			// n8n fills an unstored method with this default, so a credential without one reads as Ed25519; when its
			// Public Keys hold only an RSA key, the trigger verifies it as RSA and its credential test says to switch
			// (nodes/RankrTrigger/keyRing.ts, keyRingOf).
			default: 'ed25519',
			options: [
				{
					name: 'Ed25519 Public Key (X-GHL-Signature)',
					value: 'ed25519',
					description: 'How Rankr signs every delivery since July 2026',
				},
				{
					name: 'HMAC Shared Secret (X-Rankr-Signature)',
					value: 'hmac',
					description: 'For self-hosted relays that sign with a shared secret',
				},
				{ name: 'None (Not Recommended)', value: 'none', description: 'Accept every request to the webhook URL' },
				{
					name: 'RSA Public Key (X-Wh-Signature, Legacy)',
					value: 'rsa',
					description: 'Retired by Rankr on 2026-07-01; only for deliveries signed before then or older relays',
				},
			],
		},
		{
			// The public keys of both key methods. Stored as publicPem: credentials saved with 0.1.0 hold their keys
			// under that name, so it stays; the code calls the value publicKeys (nodes/RankrTrigger/settings.ts).
			displayName: 'Public Keys',
			name: 'publicPem',
			type: 'string',
			typeOptions: { rows: 6 },
			default: '',
			placeholder: '-----BEGIN PUBLIC KEY----- …',
			description:
				"Ed25519: Rankr's public key from its webhook settings, as PEM or the raw 32-byte key in base64 or hex. During a key rotation paste both keys, one after the other (raw keys one per line): a delivery signed with either is accepted. RSA (legacy): the one RSA public key (PEM).",
			displayOptions: { show: { method: ['ed25519', 'rsa'] } },
		},
		{
			displayName: 'Shared Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { method: ['hmac'] } },
		},
		{
			displayName:
				'Without verification anyone who learns the webhook URL can start this workflow with made-up events (e.g. delete a user). Use it only for local tests.',
			name: 'noVerificationNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { method: ['none'] } },
		},
		{
			displayName: 'Replay Window (Seconds)',
			name: 'replayWindowSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			// nodes/RankrTrigger/delivery.ts DEFAULT_REPLAY_WINDOW_SECONDS (a test keeps the two equal)
			default: 5400,
			description:
				'Events whose timestamp is further from now than this are ignored (answered 200, no workflow run). Rankr retries a delivery only after a 429, about every 10 minutes for up to 70 minutes, with the original timestamp: keep this at least 4500 (75 minutes) or those retries are dropped. The default, 5400, adds room for clock skew.',
		},
	];
}
