// The state every publisher form's server action returns: a message on success, or an error to show
// beside the field it concerns. It never carries a submitted secret back.
export interface ManifestErrorView {
  path: string;
  line: number;
  column: number;
  message: string;
}

export interface FormState {
  ok?: boolean;
  message?: string;
  error?: string;
  code?: string;
  field?: string;
  /** Every field's error at once (field key → message), for forms that check all their fields together. */
  fieldErrors?: Record<string, string>;
  manifestErrors?: ManifestErrorView[];
  /** The manifest text (never a secret) kept so a failed upload can be fixed in place. */
  yaml?: string;
  /** A newly created API token, shown once. */
  token?: string;
  /** A `secret: false` credential's value, shown on request. */
  value?: string;
  /** Text an action produced for display (e.g. a check endpoint's answer), never a secret. */
  output?: string;
  /** Where the browser goes after a success (a path on this site; the action redirects there). */
  redirectTo?: string;
  /** The request id of a failure of ours, to quote to support (it names the log lines). */
  requestId?: string;
  /** Changes on every submission so forms can reset their fields. */
  attempt?: number;
}

export const initialFormState: FormState = {};

export type FormAction = (state: FormState, formData: FormData) => Promise<FormState>;
