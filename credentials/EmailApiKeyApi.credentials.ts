// Email API key credential: Private Integration token, location, company, Base URL, version. Uses shared, n8n types.
import type { IAuthenticateGeneric, Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { emailApiFields, refusedKeyTest, secretField } from './shared';

export class EmailApiKeyApi implements ICredentialType {
	name = 'emailApiKeyApi';

	displayName = 'Email API Key API';

	icon: Icon = { light: 'file:../nodes/EmailApi/emailApi.svg', dark: 'file:../nodes/EmailApi/emailApi.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-rankr/n8n-nodes-rankr/blob/main/docs/credentials.md#email-api-key-api';

	properties: INodeProperties[] = [
		secretField(
			'Private Integration Token',
			'token',
			'From the Email API dashboard: Settings → Private Integrations. Give it the users, workflows, contacts and courses scopes the workflow needs.',
		),
		...emailApiFields({
			locationId: 'The sub-account (location) used when a node does not name one',
			companyId: 'The agency (company) ID; needed to create users and to look them up by email',
		}),
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.token}}',
				Version: '={{$credentials.apiVersion}}',
			},
		},
	};

	// Lists the location's workflows: only a rejected token (401) fails; a missing location still proves the token.
	test = refusedKeyTest(
		{ url: '/workflows/', qs: { locationId: '={{$credentials.locationId}}' } },
		{
			401: 'The Email API rejected the token, or it lacks the workflows.readonly scope: check the Private Integration token and its scopes',
			403: "The token may not access this location: check the Location ID and the token's scopes",
		},
	);
}
