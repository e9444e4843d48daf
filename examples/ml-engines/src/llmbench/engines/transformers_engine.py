"""The transformers engine adapter (runs in the transformers image)."""

import transformers


def load(model: str):
    return transformers.AutoModelForCausalLM.from_pretrained(model)
