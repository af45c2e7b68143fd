// Imported by the audit command before its own modules: zod without its JIT. zod decides at each
// schema's construction whether to compile a parser for it with new Function; an audit parses each
// schema a few times, and compiling (eval'd code is not in the bundle's V8 code cache) costs more
// than it saves. Results are the same either way.
import { z } from 'zod';

z.config({ jitless: true });
