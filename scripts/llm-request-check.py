#!/usr/bin/env python3
"""Checks LLM request bodies komply sends against the providers' own definitions.

    scripts/llm-request-check.py openai BODY.json      # CreateChatCompletionRequest (OpenAI's OpenAPI)
    scripts/llm-request-check.py ollama BODY.json      # ChatRequest (Ollama's OpenAPI)
    scripts/llm-request-check.py anthropic BODY.json   # MessageCreateParamsNonStreaming (the anthropic SDK)
    scripts/llm-request-check.py --extract DIR         # rewrite fixtures/llm/schemas from DIR (../shared/schemas/llm)

The OpenAPI definitions are large; --extract keeps just the request schema and everything it refers
to (fixtures/llm/schemas/*.json, MIT-licensed like their sources). Exit 0 when valid, 1 with the
errors when not, 2 when a checker is missing.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "fixtures/llm/schemas"
REQUESTS = {"openai": ("openai-openapi.yaml", "CreateChatCompletionRequest"), "ollama": ("ollama-openapi.yaml", "ChatRequest")}


def closure(document: dict, name: str) -> dict:
    """The schema `name` with every component it refers to, as one JSON schema (2020-12)."""
    components = document["components"]["schemas"]
    wanted, seen = [name], {}
    while wanted:
        current = wanted.pop()
        if current in seen:
            continue
        seen[current] = components[current]
        stack = [components[current]]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                    wanted.append(ref.rsplit("/", 1)[1])
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    text = json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "#/components/schemas/" + name,
                       "components": {"schemas": dict(sorted(seen.items()))}}, indent=1, sort_keys=False, ensure_ascii=False)
    return json.loads(text)


def extract(folder: pathlib.Path) -> int:
    import yaml
    SCHEMAS.mkdir(parents=True, exist_ok=True)
    for provider, (file, name) in REQUESTS.items():
        document = yaml.safe_load((folder / file).read_text())
        (SCHEMAS / f"{provider}-{name}.json").write_text(json.dumps(closure(document, name), indent=1, ensure_ascii=False) + "\n")
    for license_file in folder.glob("LICENSE-*"):
        (SCHEMAS / license_file.name).write_text(license_file.read_text())
    (SCHEMAS / "SOURCE").write_text((folder / "SOURCE").read_text())
    return 0


def check(provider: str, body: dict) -> list:
    if provider == "anthropic":
        try:
            import pydantic
            from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
        except ImportError as missing:
            print(f"the anthropic SDK is not installed ({missing}); run scripts/setup", file=sys.stderr)
            sys.exit(2)
        adapter = pydantic.TypeAdapter(MessageCreateParamsNonStreaming)
        try:
            adapter.validate_python(body, strict=True)
        except pydantic.ValidationError as error:
            return [str(error)]
        # TypedDicts accept unknown keys; the API does not.
        import typing
        known = set(typing.get_type_hints(MessageCreateParamsNonStreaming))
        return [f"unknown member {key}" for key in body if key not in known]
    import jsonschema
    file, name = REQUESTS[provider]
    schema = json.loads((SCHEMAS / f"{provider}-{name}.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    errors = [f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}" for error in validator.iter_errors(body)]
    # The definitions allow unknown members; a member they do not declare is a typo the server ignores.
    known = declared(schema["components"]["schemas"], name)
    return errors + [f"unknown member {key}" for key in body if key not in known]


def declared(components: dict, name: str) -> set:
    """Every property `name` declares, through allOf and $ref."""
    names, stack = set(), [components[name]]
    while stack:
        node = stack.pop()
        names.update(node.get("properties", {}))
        for part in node.get("allOf", []):
            ref = part.get("$ref", "")
            stack.append(components[ref.rsplit("/", 1)[1]] if ref else part)
    return names


def main(argv: list) -> int:
    if len(argv) == 2 and argv[0] == "--extract":
        return extract(pathlib.Path(argv[1]))
    if len(argv) != 2 or argv[0] not in ("openai", "ollama", "anthropic"):
        print(__doc__, file=sys.stderr)
        return 2
    errors = check(argv[0], json.loads(pathlib.Path(argv[1]).read_text()))
    for error in errors:
        print(error)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
