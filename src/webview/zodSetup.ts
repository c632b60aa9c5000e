/**
 * zod as the webview needs it, set before any message is parsed. It compiles schemas with `new Function` unless
 * told not to, and the CSP has no 'unsafe-eval'. The webview uses zod/mini (the full zod was a third of its
 * bundle), which carries no messages: the English ones say why a message was refused.
 */
import * as z from 'zod/v4-mini';
import { en } from 'zod/locales';

z.config({ ...en(), jitless: true });
