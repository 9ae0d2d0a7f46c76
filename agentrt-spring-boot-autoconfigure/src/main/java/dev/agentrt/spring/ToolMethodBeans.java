package dev.agentrt.spring;

import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolSource;
import dev.agentrt.tools.ToolMethod;
import dev.agentrt.tools.Tools;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * The tools of the context's beans that have {@code @ToolMethod} methods ({@code agentrt.tools.scan=true}); only
 * loaded when agent-tools is on the class path. Beans that are {@link ToolSource}s already are left to the
 * builder, which adds every one.
 */
final class ToolMethodBeans {
    /** The deprecated twin of {@code @ToolMethod}, bound the same way by {@link Tools#from}. */
    private static final String OLD_ANNOTATION = "dev.agentrt.tools.Tool";

    private ToolMethodBeans() {}

    static ToolSource scan(ConfigurableListableBeanFactory beans, String self) {
        var found = new ArrayList<Object>();
        var names = new ArrayList<String>();
        for (String name : beans.getBeanDefinitionNames()) {
            if (name.equals(self) || beans.getBeanDefinition(name).isAbstract()) {
                continue;
            }
            Class<?> type = beans.getType(name, false);
            if (type == null || ToolSource.class.isAssignableFrom(type)
                    || !hasToolMethods(ClassUtils.getUserClass(type))) {
                continue;
            }
            Object bean = beans.getBean(name);
            if (AopUtils.isAopProxy(bean) || bean.getClass() != ClassUtils.getUserClass(bean.getClass())) {
                throw new IllegalStateException("agentrt.tools.scan: the bean '" + name + "' is a proxy of "
                        + ClassUtils.getUserClass(bean.getClass()).getName() + ", and its @ToolMethod methods are "
                        + "read from the object that declares them; define a ToolSource bean with "
                        + "Tools.from(target) for it instead");
            }
            found.add(bean);
            names.add(name);
        }
        List<Tool> tools;
        try {
            tools = Tools.from(found.toArray());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("agentrt.tools.scan: the @ToolMethod methods of the beans " + names
                    + " do not make tools: " + e.getMessage(), e);
        }
        return new Scanned(tools, List.copyOf(names));
    }

    private static boolean hasToolMethods(Class<?> type) {
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            if (m.isAnnotationPresent(ToolMethod.class)) {
                return true;
            }
            for (Annotation a : m.getAnnotations()) {
                if (a.annotationType().getName().equals(OLD_ANNOTATION)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The scanned tools, and the beans they came from (for messages and {@code toString}). */
    private record Scanned(List<Tool> tools, List<String> beans) implements ToolSource {
        @Override
        public String toString() {
            return "tools of the @ToolMethod beans " + beans;
        }
    }
}
