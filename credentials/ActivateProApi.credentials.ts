// ActivatePro API credential: the Master API key, Base URL, the headers they make, the test. Uses shared, n8n types.
import type { IAuthenticateGeneric, Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { refusedKeyTest, secretField } from './shared';

export class ActivateProApi implements ICredentialType {
	name = 'activateProApi';

	displayName = 'ActivatePro API';

	icon: Icon = {
		light: 'file:../nodes/ActivateProUser/activatePro.svg',
		dark: 'file:../nodes/ActivateProUser/activatePro.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-rankr/n8n-nodes-rankr/blob/main/docs/credentials.md#activatepro-api';

	properties: INodeProperties[] = [
		secretField('API Key', 'apiKey', 'The Master API key, from ActivatePro: Settings → System setup → API keys'),
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.crossengage.io',
			required: true,
			description:
				'Where the User Management API v2 answers. Point it at the local sandbox (npm run sandbox) to run test transactions before going live.',
		},
	];

	// Every request carries the key and the API version header the v2 API requires.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'X-XNG-AuthToken': '={{$credentials.apiKey}}',
				'X-XNG-ApiVersion': '2',
			},
		},
	};

	// Reads request tracking for an id that cannot exist: an accepted key gets 404 (fine), a wrong key 401.
	// Only 401/403 count as failures, so the test never writes anything.
	test = refusedKeyTest(
		{ url: '/users/track/n8n-credential-test' },
		{
			401: 'ActivatePro rejected the API key: copy the Master API key again from Settings → System setup → API keys',
			403: 'ActivatePro rejected the API key: it is not allowed to use the User Management API v2',
		},
	);
}
