// The Email API node: every version n8n knows, and the base description they share. Uses v1/.
import { VersionedNodeType, type INodeTypeBaseDescription, type IVersionedNodeType } from 'n8n-workflow';

import { EmailApiV1 } from './v1/EmailApiV1';

export class EmailApi extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Email API',
			name: 'emailApi',
			icon: { light: 'file:emailApi.svg', dark: 'file:emailApi.dark.svg' },
			group: ['output'],
			subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
			description:
				'Create and remove Email API users, upsert contacts and start email workflows (welcome, re-engagement)',
			usableAsTool: true,
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = { 1: new EmailApiV1(baseDescription) };
		super(nodeVersions, baseDescription);
	}
}
