// Entry for Node.js: instantiates the module synchronously from the file next to this one.
import { readFileSync } from "node:fs";
import { initSync, Engine, standardRubric, parseRubric, __register } from "./readiness_wasm.js";
import { ReadinessError, nonFiniteAsText } from "./error.js";

initSync({ module: readFileSync(new URL("./readiness_wasm_bg.wasm", import.meta.url)) });
__register(ReadinessError, nonFiniteAsText);

export { Engine, standardRubric, parseRubric, ReadinessError };
