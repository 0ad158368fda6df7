// The Jupyter messaging protocol's data, with no transport in it: the header,
// the message envelope, and each request's and reply's content, one definition
// each, keyed by msg_type. Kernel, notebook runner and tests share it.

export const PROTOCOL_VERSION = "5.3";

export type Channel = "shell" | "control" | "stdin" | "iopub";

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export type JsonObject = { [key: string]: unknown };

export interface Message<C = JsonObject> {
  /** ZeroMQ routing identities of the peer (ROUTER sockets) or the topic (IOPub). */
  identities: Buffer[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: JsonObject;
  content: C;
  buffers: Buffer[];
}

export type MimeBundle = { [mime: string]: unknown };

export interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  user_expressions?: { [name: string]: string };
  allow_stdin?: boolean;
  stop_on_error?: boolean;
}

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

export type ReplyStatus = "ok" | "error" | "aborted";

export interface ExecuteReply {
  status: ReplyStatus;
  execution_count: number | null;
  user_expressions?: JsonObject;
  payload?: JsonObject[];
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

export interface LanguageInfo {
  name: string;
  version: string;
  mimetype: string;
  file_extension: string;
  pygments_lexer: string;
  codemirror_mode: string | JsonObject;
  nbconvert_exporter: string;
}

export interface KernelInfoReply {
  status: "ok";
  protocol_version: string;
  implementation: string;
  implementation_version: string;
  language_info: LanguageInfo;
  banner: string;
  help_links: { text: string; url: string }[];
  debugger: boolean;
}

export interface CompleteRequest {
  code: string;
  cursor_pos: number;
}

export interface CompleteReply {
  status: "ok";
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata: JsonObject;
}

export interface InspectRequest {
  code: string;
  cursor_pos: number;
  detail_level?: 0 | 1;
}

export interface InspectReply {
  status: "ok";
  found: boolean;
  data: MimeBundle;
  metadata: JsonObject;
}

export interface IsCompleteRequest {
  code: string;
}

export interface IsCompleteReply {
  status: "complete" | "incomplete" | "invalid" | "unknown";
  indent?: string;
}

export interface ShutdownRequest {
  restart?: boolean;
}

export interface HistoryRequest {
  output?: boolean;
  raw?: boolean;
  hist_access_type: "range" | "tail" | "search";
  session?: number;
  start?: number;
  stop?: number;
  n?: number;
  pattern?: string;
  unique?: boolean;
}

export interface StreamContent {
  name: "stdout" | "stderr";
  text: string;
}

export interface DisplayDataContent {
  data: MimeBundle;
  metadata: JsonObject;
  transient?: { display_id?: string };
}

export interface ExecuteResultContent extends DisplayDataContent {
  execution_count: number;
}

export interface StatusContent {
  execution_state: "starting" | "busy" | "idle";
}

export interface InputRequestContent {
  prompt: string;
  password: boolean;
}

export interface InputReplyContent {
  value: string;
}

export interface CommOpenContent {
  comm_id: string;
  target_name: string;
  data: JsonObject;
  target_module?: string;
}

export interface CommMsgContent {
  comm_id: string;
  data: JsonObject;
}

/** The reply type for a request type, as the spec names it. */
export function replyType(requestType: string): string {
  return requestType.replace(/_request$/, "_reply");
}
