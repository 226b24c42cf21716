// The ActivatePro User node: every version n8n knows, and the base description they share. Uses v1/.
import { VersionedNodeType, type INodeTypeBaseDescription, type IVersionedNodeType } from 'n8n-workflow';

import { ActivateProUserV1 } from './v1/ActivateProUserV1';

export class ActivateProUser extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'ActivatePro User',
			name: 'activateProUser',
			icon: { light: 'file:activatePro.svg', dark: 'file:activatePro.dark.svg' },
			group: ['output'],
			description:
				'Create, update, delete and look up users in ActivatePro (User Management API v2), one by one or 1000 per request',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = { 1: new ActivateProUserV1(baseDescription) };
		super(nodeVersions, baseDescription);
	}
}
