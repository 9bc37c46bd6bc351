// Entry for browsers and bundlers: instantiates the module with top-level await.
import init, { Engine, standardRubric, parseRubric, __register } from "./readiness_wasm.js";
import { ReadinessError, nonFiniteAsText } from "./error.js";

await init({ module_or_path: new URL("./readiness_wasm_bg.wasm", import.meta.url) });
__register(ReadinessError, nonFiniteAsText);

export { Engine, standardRubric, parseRubric, ReadinessError };
