package io.flinkllmlingua.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Writes the HF {@code tokenizer.json} and {@code tokenizer_config.json} of a generated model. */
final class TokenizerFiles {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TokenizerFiles() {}

    static void write(Path dir, GeneratedFamily family, GeneratedVocabulary vocab) throws IOException {
        ObjectNode tokenizer = family == GeneratedFamily.WORDPIECE ? wordPiece(vocab) : unigram(vocab);
        // Compact: the vocabulary has tens of thousands of entries.
        new ObjectMapper().writeValue(dir.resolve(TinyModelGenerator.TOKENIZER_FILE).toFile(), tokenizer);
        JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), tokenizerConfig(family));
    }

    static ObjectNode wordPiece(GeneratedVocabulary vocab) {
        ObjectNode root = header();
        ArrayNode added = root.putArray("added_tokens");
        List<String> pieces = vocab.pieces();
        for (int id : new int[] {GeneratedVocabulary.WP_PAD, GeneratedVocabulary.WP_UNK, GeneratedVocabulary.WP_CLS,
                GeneratedVocabulary.WP_SEP, GeneratedVocabulary.WP_MASK}) {
            addedToken(added, id, pieces.get(id), false);
        }
        ObjectNode normalizer = root.putObject("normalizer");
        normalizer.put("type", "BertNormalizer");
        normalizer.put("clean_text", true);
        normalizer.put("handle_chinese_chars", true);
        normalizer.putNull("strip_accents");
        normalizer.put("lowercase", false);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "BertProcessing");
        post.putArray("sep").add("[SEP]").add(GeneratedVocabulary.WP_SEP);
        post.putArray("cls").add("[CLS]").add(GeneratedVocabulary.WP_CLS);
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "WordPiece");
        decoder.put("prefix", GeneratedVocabulary.WORDPIECE_PREFIX);
        decoder.put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece");
        model.put("unk_token", "[UNK]");
        model.put("continuing_subword_prefix", GeneratedVocabulary.WORDPIECE_PREFIX);
        model.put("max_input_chars_per_word", 100);
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < pieces.size(); i++) {
            v.put(pieces.get(i), i);
        }
        return root;
    }

    static ObjectNode unigram(GeneratedVocabulary vocab) {
        ObjectNode root = header();
        List<String> pieces = vocab.pieces();
        int maskId = pieces.size() - 1;
        ArrayNode added = root.putArray("added_tokens");
        addedToken(added, GeneratedVocabulary.SP_BOS, "<s>", false);
        addedToken(added, GeneratedVocabulary.SP_PAD, "<pad>", false);
        addedToken(added, GeneratedVocabulary.SP_EOS, "</s>", false);
        addedToken(added, GeneratedVocabulary.SP_UNK, "<unk>", false);
        addedToken(added, maskId, "<mask>", true);
        ObjectNode normalizer = root.putObject("normalizer");
        normalizer.put("type", "Sequence");
        ArrayNode norms = normalizer.putArray("normalizers");
        norms.addObject().put("type", "NFKC");
        ObjectNode replace = norms.addObject();
        replace.put("type", "Replace");
        replace.putObject("pattern").put("Regex", " {2,}");
        replace.put("content", " ");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode pres = pre.putArray("pretokenizers");
        pres.addObject().put("type", "WhitespaceSplit");
        ObjectNode meta = pres.addObject();
        meta.put("type", "Metaspace");
        meta.put("replacement", GeneratedVocabulary.METASPACE);
        meta.put("add_prefix_space", true);
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "RobertaProcessing");
        post.putArray("sep").add("</s>").add(GeneratedVocabulary.SP_EOS);
        post.putArray("cls").add("<s>").add(GeneratedVocabulary.SP_BOS);
        post.put("trim_offsets", true);
        post.put("add_prefix_space", true);
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "Metaspace");
        decoder.put("replacement", GeneratedVocabulary.METASPACE);
        decoder.put("add_prefix_space", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "Unigram");
        model.put("unk_id", GeneratedVocabulary.SP_UNK);
        ArrayNode v = model.putArray("vocab");
        double[] scores = vocab.scores();
        for (int i = 0; i < pieces.size(); i++) {
            v.addArray().add(pieces.get(i)).add(scores[i]);
        }
        model.put("byte_fallback", false);
        return root;
    }

    static ObjectNode tokenizerConfig(GeneratedFamily family) {
        ObjectNode c = JSON.createObjectNode();
        if (family == GeneratedFamily.WORDPIECE) {
            c.put("tokenizer_class", "BertTokenizer");
            c.put("do_lower_case", false);
            c.put("tokenize_chinese_chars", true);
            c.putNull("strip_accents");
            c.put("model_max_length", ModelSpec.MAX_POSITIONS);
            c.put("clean_up_tokenization_spaces", true);
            c.put("cls_token", "[CLS]");
            c.put("sep_token", "[SEP]");
            c.put("pad_token", "[PAD]");
            c.put("unk_token", "[UNK]");
            c.put("mask_token", "[MASK]");
        } else {
            c.put("tokenizer_class", "XLMRobertaTokenizer");
            c.put("model_max_length", ModelSpec.MAX_POSITIONS);
            c.put("clean_up_tokenization_spaces", true);
            c.put("bos_token", "<s>");
            c.put("eos_token", "</s>");
            c.put("sep_token", "</s>");
            c.put("cls_token", "<s>");
            c.put("unk_token", "<unk>");
            c.put("pad_token", "<pad>");
            ObjectNode mask = c.putObject("mask_token");
            mask.put("__type", "AddedToken");
            mask.put("content", "<mask>");
            mask.put("lstrip", true);
            mask.put("normalized", true);
            mask.put("rstrip", false);
            mask.put("single_word", false);
        }
        return c;
    }

    private static ObjectNode header() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        return root;
    }

    private static void addedToken(ArrayNode added, int id, String content, boolean lstrip) {
        ObjectNode t = added.addObject();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", lstrip);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", true);
    }
}
