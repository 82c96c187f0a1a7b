package io.dpuoffload.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Generates the CRD files from the resources' Java types with Fabric8's CRD generator (its API, not
 * its Maven plugin: the plugin sorts printer columns by JSON path, and kubectl shows them in the
 * file's order, so this puts them back in the order the classes declare them).
 */
final class CrdFiles {
    /** The resources, each with the CRD file it generates. */
    static final Map<Class<? extends HasMetadata>, String> RESOURCES = Map.of(
            OffloadProfile.class, "offloadprofiles.dpuoffload.io-v1.yml",
            OffloadNode.class, "offloadnodes.dpuoffload.io-v1.yml");

    private CrdFiles() {}

    /** Writes the CRD files into {@code dir}; answers their paths. */
    static List<Path> generate(Path dir) throws IOException {
        Files.createDirectories(dir);
        new CRDGenerator()
                .inOutputDir(dir.toFile())
                .forCRDVersions("v1")
                .withParallelGenerationEnabled(false)
                .withPostProcessor(new CRDPostProcessor() {
                    @Override
                    public HasMetadata process(HasMetadata crd, String version) {
                        return columnsInDeclaredOrder(crd, version);
                    }
                })
                .customResourceClasses(new ArrayList<>(RESOURCES.keySet()))
                .generate();
        List<Path> files = new ArrayList<>();
        for (String name : RESOURCES.values()) {
            files.add(dir.resolve(name));
        }
        return files;
    }

    private static HasMetadata columnsInDeclaredOrder(HasMetadata resource, String version) {
        if (!(resource instanceof CustomResourceDefinition crd)) {
            return resource;
        }
        String kind = crd.getSpec().getNames().getKind();
        Class<?> type = RESOURCES.keySet().stream()
                .filter(c -> c.getSimpleName().equals(kind))
                .findFirst()
                .orElseThrow();
        List<String> order = Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name)
                .toList();
        for (var crdVersion : crd.getSpec().getVersions()) {
            List<CustomResourceColumnDefinition> columns = crdVersion.getAdditionalPrinterColumns();
            if (columns != null) {
                columns.sort(Comparator.comparingInt(column -> order.indexOf(column.getName())));
            }
        }
        return crd;
    }
}
