// Email API → Contact → Add to Workflow: POST /contacts/{id}/workflow/{workflowId}. Uses enrolment.
import type { IDataObject, IExecuteFunctions, INodePropertyOptions } from 'n8n-workflow';

import { changeEnrolment } from './enrolment';

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Add to Workflow',
	value: 'addToWorkflow',
	action: 'Add a contact to a workflow',
	description:
		'Start a workflow, e.g. a welcome or re-engagement email (never repeated by a retry: a workflow that allows re-entry would start again)',
};

/** POST /contacts/{contactId}/workflow/{workflowId} — starts the workflow (e.g. the welcome email) for the contact. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return changeEnrolment.call(this, itemIndex, true);
}
