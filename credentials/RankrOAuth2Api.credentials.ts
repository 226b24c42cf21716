// HighLevel OAuth2 credential for the Email API (extends n8n's oAuth2Api). Uses shared, n8n types.
import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { EMAIL_API_DEFAULTS, emailApiFields } from './shared';

/**
 * A HighLevel Marketplace app (authorization-code grant) for the Email API; the token carries the location.
 * The type name keeps "rankr" because saved credentials and workflows refer to it; the display name says what
 * it connects, and n8n's dialog derives "In HighLevel, use the URL above…" from it.
 */
export class RankrOAuth2Api implements ICredentialType {
	name = 'rankrOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'HighLevel OAuth2 API';

	icon: Icon = { light: 'file:../nodes/EmailApi/emailApi.svg', dark: 'file:../nodes/EmailApi/emailApi.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-rankr/n8n-nodes-rankr/blob/main/docs/credentials.md#highlevel-oauth2-api';

	properties: INodeProperties[] = [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'string',
			default: 'https://marketplace.gohighlevel.com/v2/oauth/chooselocation', // Authorization.md
			required: true,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'string',
			default: `${EMAIL_API_DEFAULTS.baseUrl}/oauth/token`,
			required: true,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default:
				'users.write users.readonly workflows.readonly contacts.write contacts.readonly locations/customFields.readonly courses.write',
			description: 'Space-separated. users.write is needed to create, update and delete users.',
		},
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'hidden', default: '' },
		// The token endpoint takes client_id and client_secret in the form body.
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
		...emailApiFields({
			locationId: 'Leave empty to use the location the app was installed on (from the token)',
			companyId: 'Leave empty to use the company from the token',
		}),
	];
}
