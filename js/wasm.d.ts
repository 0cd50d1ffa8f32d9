// Types of `bedrock-request/bedrock_request.wasm`: the package's WebAssembly module, as
// Cloudflare Workers (and bundlers that do the same) import a `.wasm` file. Give it to `init`.
declare const module: WebAssembly.Module;
export default module;
