// Email API → Contact → Add to Workflow: POST /contacts/{id}/workflow/{workflowId}. Uses enrolment.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { changeEnrolment } from './enrolment';

/** POST /contacts/{contactId}/workflow/{workflowId} — starts the workflow (e.g. the welcome email) for the contact. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return changeEnrolment.call(this, itemIndex, true);
}
