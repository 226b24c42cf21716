import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * How the Rankr Trigger tells a real Rankr delivery from anything else posted to its URL. There is no API
 * to call: the Rankr Trigger tests it (testedBy) by checking that the key or secret is usable.
 */
export class RankrWebhookApi implements ICredentialType {
	name = 'rankrWebhookApi';

	displayName = 'Rankr Webhook API';

	icon: Icon = { light: 'file:../nodes/RankrTrigger/rankr.svg', dark: 'file:../nodes/RankrTrigger/rankr.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-rankr/n8n-nodes-rankr#rankr-webhook-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Verification Method',
			name: 'method',
			type: 'options',
			default: 'rsa',
			options: [
				{ name: 'RSA Public Key (X-Wh-Signature)', value: 'rsa', description: 'Rankr signs every delivery with its private key' },
				{ name: 'HMAC Shared Secret (X-Rankr-Signature)', value: 'hmac', description: 'For self-hosted relays that sign with a shared secret' },
				{ name: 'None (Not Recommended)', value: 'none', description: 'Accept every request to the webhook URL' },
			],
		},
		{
			displayName: 'Public Key (PEM)',
			name: 'publicPem',
			type: 'string',
			typeOptions: { rows: 6 },
			default: '',
			placeholder: '-----BEGIN PUBLIC KEY----- …',
			description: 'Rankr\'s public key, from its webhook settings (the sandbox prints its own)',
			displayOptions: { show: { method: ['rsa'] } },
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
			default: 300,
			description: 'Events whose timestamp is further from now than this are ignored (answered 200, no workflow run)',
		},
	];
}
