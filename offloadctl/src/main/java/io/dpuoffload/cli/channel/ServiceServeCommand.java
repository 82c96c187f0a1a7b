package io.dpuoffload.cli.channel;

import io.dpuoffload.transport.Feature;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fs serve}, {@code ipc serve} and {@code exec serve}: the same option and the same run
 * ({@link ServiceServing#serve}); each says only how its configuration is read and what it starts.
 *
 * @param <C> the service's configuration
 */
public abstract class ServiceServeCommand<C> implements Callable<Integer> {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            required = true,
            description = "The service's YAML configuration (node, listen, pki, peers and the service's own keys; "
                    + "see its docs/offload-*.md). Every mistake in it is named with its line.")
    Path configFile;

    @Spec
    CommandSpec spec;

    private final Function<Path, C> loader;
    private final Function<C, ServiceServing.Channel> channel;
    private final String exampleListen;
    private final Set<Feature> features;

    /**
     * @param loader reads the configuration; a ConfigException names what is wrong
     * @param channel the channel settings in the configuration
     * @param exampleListen an endpoint for the message when {@code listen:} is missing
     * @param features what the channel offers beyond the service itself
     */
    protected ServiceServeCommand(
            Function<Path, C> loader,
            Function<C, ServiceServing.Channel> channel,
            String exampleListen,
            Set<Feature> features) {
        this.loader = loader;
        this.channel = channel;
        this.exampleListen = exampleListen;
        this.features = features;
    }

    /** Starts the service the configuration describes. */
    protected abstract ServiceServing.Running start(C config) throws Exception;

    @Override
    public final Integer call() throws Exception {
        return ServiceServing.serve(spec, configFile, loader, channel, exampleListen, features, this::start);
    }
}
