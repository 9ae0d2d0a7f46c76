package dev.agentrt.spring;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import javax.sql.DataSource;

/** What a property asks for and the context must have: a data source, a module on the class path. */
final class Requirements {
    private Requirements() {}

    /**
     * The application's one {@link DataSource} for the bean {@code user}, which from now on is destroyed before it
     * (a store gives its connections back before the pool closes).
     *
     * @throws InvalidConfigurationPropertyValueException naming {@code property} when there is none, or several
     *     and none of them primary
     */
    static DataSource dataSource(ObjectProvider<DataSource> dataSources, ConfigurableListableBeanFactory beans,
            String property, String user) {
        DataSource source = dataSources.getIfUnique();
        if (source == null) {
            String[] names = beans.getBeanNamesForType(DataSource.class);
            throw new InvalidConfigurationPropertyValueException(property, "datasource", names.length == 0
                    ? "the application has no DataSource bean (set spring.datasource.url, or define one)"
                    : "the application has " + names.length + " DataSource beans and none is @Primary: "
                            + String.join(", ", names));
        }
        for (String name : beans.getBeanNamesForType(DataSource.class)) {
            beans.registerDependentBean(name, user);
        }
        return source;
    }

    static IllegalStateException missingModule(String what, String module) {
        return new IllegalStateException(what + " is set, but " + module + " is not on the class path: add it (the "
                + "agentrt Spring Boot starter brings it), or remove the setting");
    }
}
