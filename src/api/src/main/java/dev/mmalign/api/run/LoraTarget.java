package dev.mmalign.api.run;

/** Linear layers of the language model that LoRA adapts (PEFT / Hugging Face names). */
public enum LoraTarget { q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj }
